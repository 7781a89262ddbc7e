from django.conf import settings

from .permissions import permissions_for


def tracker(request):
    """Brand and the signed-in user's permissions, for every page."""
    user = getattr(request, "user", None)
    return {
        "brand_name": settings.TRACKER_BRAND_NAME,
        "sidebar_colour": settings.TRACKER_SIDEBAR_COLOUR,
        "base_path": settings.TRACKER_BASE_PATH,
        "perms_for_user": {p.value for p in permissions_for(user)},
    }
