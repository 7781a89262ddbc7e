from django.conf import settings

from .cache import ProcessMemo
from .errors import ApplicationError
from .models import Notification, Organisation, User

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


def notification_create(*, recipient: User, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    return Notification.objects.create(recipient=recipient, kind=kind, title=title[:255], body=body, url=url)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())
