"""Celery adapters for outbound webhooks: take an id, call one service. The schedule, the retries and their rows
live in `services`; the services reach these tasks through `queue`, by name."""

from celery import shared_task

from . import queue, services


@shared_task(name=queue.DELIVER)
def deliver(delivery_id: int) -> None:
    """One attempt of a due delivery; a retry is a new message the service queues with its countdown."""
    services.outbound_delivery_attempt(delivery_id=delivery_id)


@shared_task(name=queue.SWEEP)
def sweep() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): send due deliveries whose message was lost, revive stuck attempts."""
    return services.outbound_sweep()
