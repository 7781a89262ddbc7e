from celery import shared_task
from django.conf import settings

from tracker import events, retention


@shared_task(name="tracker.ping")
def ping(value: str) -> str:
    """Echo a value back: lets operations (and the CI worker test) prove a worker is consuming the queue."""
    return f"pong:{value}"


@shared_task(name="tracker.events_sweep")
def events_sweep() -> int:
    """Periodic (beat): dispatch domain events that no after-commit callback dispatched (see tracker/events.py)."""
    return events.events_dispatch_pending()


@shared_task(name="tracker.retention_prune")
def retention_prune() -> int:
    """Periodic (beat): delete old log and outbox rows (tracker/retention.py) for at most
    RETENTION_MAX_SECONDS_PER_RUN; the next run goes on where this one stopped. Returns the rows removed."""
    return retention.retention_prune(max_seconds=settings.RETENTION_MAX_SECONDS_PER_RUN).total
