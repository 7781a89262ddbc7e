from celery import shared_task

from tracker import events
from tracker.api.services import idempotency_records_purge as idempotency_records_purge_service
from tracker.mail import digest, outbox
from tracker.mail import queue as mail_queue


@shared_task(name="tracker.ping")
def ping(value: str) -> str:
    """Echo a value back: lets operations (and the CI worker test) prove a worker is consuming the queue."""
    return f"pong:{value}"


@shared_task(name="tracker.idempotency_records_purge")
def idempotency_records_purge() -> int:
    """Periodic (beat): delete Idempotency-Key records past their TTL. Safe to run at any time, any number of times."""
    return idempotency_records_purge_service()


@shared_task(name="tracker.events_sweep")
def events_sweep() -> int:
    """Periodic (beat): dispatch domain events that no after-commit callback dispatched (see tracker/events.py)."""
    return events.events_dispatch_pending()


@shared_task(name="tracker.events_prune")
def events_prune() -> int:
    """Periodic (beat): delete dispatched events past EVENTS_RETENTION_DAYS; undispatched ones are kept."""
    return events.events_prune()


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
