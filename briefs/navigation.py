"""The Briefs entry of the sidebar: its badge counts the briefs waiting for triage (registered in `apps.py`)."""

from django.conf import settings

from tracker.models import User

from .models import Brief


def pending_briefs_count(user: User) -> int:
    """Pending briefs in the user's organisation (one COUNT query)."""
    briefs = Brief.objects.filter(status=Brief.Status.PENDING)
    # Users without an organisation work in the default one; filtering through the join avoids a lookup query.
    if user.organisation_id:
        return briefs.filter(organisation_id=user.organisation_id).count()
    return briefs.filter(organisation__slug=settings.TRACKER_DEFAULT_ORGANISATION).count()
