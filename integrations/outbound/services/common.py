"""What the outbound services share: the retry schedule, who hears about a disabled endpoint, the states."""

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from tracker.models import Notification, Organisation, User
from tracker.services import notification_create

from ..models import OutboundDelivery

OPEN = (OutboundDelivery.Status.PENDING, OutboundDelivery.Status.SENDING)
JITTER = 0.1


def retry_schedule() -> list[float]:
    """Seconds to wait after attempt 1, 2, 3 ... of a round (seed 004: 30 s, 5 min, 30 min)."""
    return [float(value) for value in settings.OUTBOUND_WEBHOOK_RETRY_SCHEDULE]


def max_attempts() -> int:
    return len(retry_schedule()) + 1


def retry_delay(*, attempt: int, retry_after: float | None = None) -> float:
    """Seconds before the attempt after `attempt` (1-based, in this round), jittered by ±10% so endpoints that
    failed together do not all come back at once. A `Retry-After` is honoured within the schedule's bounds: never
    sooner than the schedule says, never later than its longest wait."""
    schedule = retry_schedule()
    delay = schedule[min(attempt, len(schedule)) - 1] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
    if retry_after is not None:
        delay = max(delay, min(retry_after, max(schedule)))
    return delay


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP date. None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def admins(organisation: Organisation):
    """The organisation's active admins (and, for the default organisation, the admins no organisation claims,
    as `organisation_for_user` reads them)."""
    ours = Q(organisation=organisation)
    if organisation.slug == settings.TRACKER_DEFAULT_ORGANISATION:
        ours |= Q(organisation__isnull=True)
    return User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True), ours, is_active=True)


def notify_admins(organisation: Organisation, *, title: str, body: str, endpoint_id: int) -> None:
    url = reverse("outbound:endpoint", args=[endpoint_id])
    for user in admins(organisation):
        notification_create(recipient=user, kind=Notification.Kind.GENERAL, title=title, body=body, url=url)


def disable_after() -> timedelta:
    return timedelta(days=settings.OUTBOUND_WEBHOOK_DISABLE_AFTER_DAYS)
