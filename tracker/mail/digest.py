"""The daily digest: one email per user who chose it, listing the notifications that need them and that they have
not read, from the 24 hours up to NOTIFICATION_DIGEST_HOUR (TIME_ZONE). None when there are none.

Idempotent per user per day: the digest of a day is one `OutgoingEmail` row with `digest_date`, unique per user, so
the hourly beat task, a second beat, or a rerun by hand never send a day twice. Notifications that already had
their own email (the user chose "at once" earlier that day) are not listed again.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import EMAIL_KINDS, Notification, NotificationPreference, OutgoingEmail, User
from .outbox import email_record
from .render import render_digest

logger = logging.getLogger(__name__)


def digest_period(now: datetime | None = None) -> tuple[date, datetime, datetime]:
    """The latest period that has ended by `now`: (its day, start, end), ending at NOTIFICATION_DIGEST_HOUR."""
    local = timezone.localtime(now or timezone.now())
    tz = timezone.get_current_timezone()
    day = local.date() if local.hour >= settings.NOTIFICATION_DIGEST_HOUR else local.date() - timedelta(days=1)
    end = datetime.combine(day, time(settings.NOTIFICATION_DIGEST_HOUR), tzinfo=tz)
    start = datetime.combine(day - timedelta(days=1), time(settings.NOTIFICATION_DIGEST_HOUR), tzinfo=tz)
    return day, start, end


def digest_users():
    """Active users with an address who chose the digest (or have no choice saved while it is the default)."""
    chose = Q(notification_preference__email=NotificationPreference.Email.DAILY)
    if settings.NOTIFICATION_EMAIL_DEFAULT == NotificationPreference.Email.DAILY:
        chose |= Q(notification_preference__isnull=True)
    return User.objects.filter(chose, is_active=True).exclude(email="")


@transaction.atomic
def email_digest_record(*, user: User, day: date, start: datetime, end: datetime) -> OutgoingEmail | None:
    """Record `user`'s digest for `day` unless it exists or has nothing to list."""
    if OutgoingEmail.objects.filter(recipient=user, digest_date=day).exists():
        return None
    notifications = list(
        Notification.objects.filter(
            recipient=user,
            kind__in=EMAIL_KINDS,
            created_at__gte=start,
            created_at__lt=end,
            read_at__isnull=True,
            email__isnull=True,
        ).order_by("created_at", "id")
    )
    if not notifications:
        return None
    try:
        with transaction.atomic():
            return email_record(recipient=user, rendered=render_digest(user, notifications, day), digest_date=day)
    except IntegrityError:  # a concurrent run recorded this day's digest first
        return None


def email_digests_record(now: datetime | None = None) -> int:
    """Record (and send after commit) the latest ended period's digests. Safe to run any number of times."""
    day, start, end = digest_period(now)
    recorded = 0
    for user in digest_users().iterator():
        if email_digest_record(user=user, day=day, start=start, end=end) is not None:
            recorded += 1
    logger.info("tracker.email_digests", extra={"day": day.isoformat(), "recorded": recorded})
    return recorded
