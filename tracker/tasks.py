from celery import shared_task
from django.conf import settings

from tracker import events, retention
from tracker.mail import digest, outbox
from tracker.mail import queue as mail_queue


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


@shared_task(name=mail_queue.SEND)
def email_send(email_id: int) -> str:
    """One attempt at sending a recorded email; a retry is a new message the service queues with its countdown."""
    return outbox.email_deliver(message_id=email_id)


@shared_task(name=mail_queue.SWEEP)
def emails_sweep() -> int:
    """Periodic (beat): send emails whose message was lost and take back sends whose worker died."""
    return outbox.emails_sweep()


@shared_task(name=mail_queue.DIGESTS)
def email_digests() -> int:
    """Periodic (beat, hourly): record and send the daily digests of the latest ended day, once per user."""
    return digest.email_digests_record()
