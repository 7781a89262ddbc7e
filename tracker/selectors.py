"""Reads for the page furniture: the notifications bell and list, and how a user wants to hear of them."""

from django.conf import settings
from django.db.models import QuerySet

from .errors import NotFoundError
from .models import Notification, NotificationPreference, User


def notification_unread_count(user: User) -> int:
    """The bell's badge: the user's unread notifications (one COUNT query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_detail(*, user: User, pk: int) -> Notification:
    """One of the user's own notifications; another user's is not found."""
    try:
        return Notification.objects.get(recipient=user, pk=pk)
    except Notification.DoesNotExist as error:
        raise NotFoundError("notification not found") from error


def notification_email_mode(user: User) -> str:
    """How `user` wants the notifications that need action by email: a NotificationPreference.Email value (their
    saved choice, else NOTIFICATION_EMAIL_DEFAULT). One query."""
    saved = NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
    return saved or settings.NOTIFICATION_EMAIL_DEFAULT
