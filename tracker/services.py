from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .cache import ProcessMemo
from .db import upsert
from .errors import ApplicationError
from .mail.outbox import email_record_for_notification
from .models import Notification, NotificationPreference, Organisation, User

# Intake looks the default organisation up on every call; it is renamed perhaps once in its life.
_organisations = ProcessMemo(seconds=60)


def organisation_default() -> Organisation:
    """The organisation that webhook intake and user-less work belong to (TRACKER_DEFAULT_ORGANISATION), from the
    per-process memo (`tracker.cache.ProcessMemo`) after the first call."""
    slug = settings.TRACKER_DEFAULT_ORGANISATION
    organisation = _organisations.get(slug, lambda: Organisation.objects.filter(slug=slug).first())
    if organisation is None:
        raise ApplicationError(f"organisation {settings.TRACKER_DEFAULT_ORGANISATION!r} does not exist")
    return organisation


def organisation_for_user(user: User) -> Organisation:
    return user.organisation if getattr(user, "organisation_id", None) else organisation_default()


@transaction.atomic
def notification_create(*, recipient: User, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    """The one way a notification is made. A kind that needs action (`EMAIL_KINDS`) also records its email, in the
    same transaction, when the recipient wants email at once; Celery sends it after commit (`tracker.mail`)."""
    notification = Notification.objects.create(recipient=recipient, kind=kind, title=title[:255], body=body, url=url)
    email_record_for_notification(notification)
    return notification


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, user: User, email: str) -> NotificationPreference:
    """Save how `user` hears of the notifications that need action. Everyone may choose for themselves, whatever
    their role; the choice applies from the next notification (and the next digest)."""
    if email not in NotificationPreference.Email.values:
        choices = ", ".join(NotificationPreference.Email.values)
        raise ApplicationError(f"choose one of {choices}", {"field": "email"})
    preference, _ = upsert(
        NotificationPreference, lookup={"user": user}, create_fields={"email": email}, update_fields={"email": email}
    )
    return preference
