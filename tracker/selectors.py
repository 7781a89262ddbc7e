"""Reads for the page furniture: the sidebar counts and the notifications list."""

from django.db.models import QuerySet

from .models import Notification, User


def sidebar_counts_for_user(user: User) -> dict:
    """Pending briefs in the user's organisation and the user's unread notifications (two COUNT queries)."""
    from briefs.models import Brief

    if not user.is_authenticated:
        return {"pending_briefs": 0, "unread_notifications": 0}
    briefs = Brief.objects.filter(status=Brief.Status.PENDING)
    # Users without an organisation work in the default one; filtering through the join avoids a lookup query.
    if user.organisation_id:
        briefs = briefs.filter(organisation_id=user.organisation_id)
    else:
        from django.conf import settings

        briefs = briefs.filter(organisation__slug=settings.TRACKER_DEFAULT_ORGANISATION)
    return {
        "pending_briefs": briefs.count(),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
