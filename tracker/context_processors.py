from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .navigation import sidebar_for_request
from .permissions import permissions_for


def tracker(request):
    """Brand, the signed-in user's permissions and the sidebar, for every page.

    The sidebar (the registered entries with their counts, see `tracker.navigation`) is built on first use, so a
    partial that does not draw it costs no query.
    """
    user = getattr(request, "user", None)
    return {
        "brand_name": settings.TRACKER_BRAND_NAME,
        "sidebar_colour": settings.TRACKER_SIDEBAR_COLOUR,
        "base_path": settings.TRACKER_BASE_PATH,
        "perms_for_user": {p.value for p in permissions_for(user)},
        "sidebar": SimpleLazyObject(lambda: sidebar_for_request(request)),
    }
