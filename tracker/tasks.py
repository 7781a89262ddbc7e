from celery import shared_task

from tracker.api.services import idempotency_records_purge as idempotency_records_purge_service


@shared_task(name="tracker.ping")
def ping(value: str) -> str:
    """Echo a value back: lets operations (and the CI worker test) prove a worker is consuming the queue."""
    return f"pong:{value}"


@shared_task(name="tracker.idempotency_records_purge")
def idempotency_records_purge() -> int:
    """Periodic (beat): delete Idempotency-Key records past their TTL. Safe to run at any time, any number of times."""
    return idempotency_records_purge_service()
