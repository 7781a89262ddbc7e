"""Celery adapters for the Box integration: take ids, call one service. Retries and their rows live in services.

The services never import this module: they enqueue through `queue`, by the task names declared there.
"""

from celery import shared_task
from django.conf import settings

from . import queue, services


@shared_task(bind=True, name=queue.PUSH, max_retries=settings.BOX_PUSH_MAX_ATTEMPTS - 1)
def box_push(self, push_log_id: int) -> None:
    """One attempt of a push; on a retryable failure the next attempt's row is already queued, and the retry
    message (exponential backoff) carries that row's id."""
    try:
        services.box_push_attempt(push_log_id=push_log_id)
    except services.BoxRetryLater as retry:
        raise self.retry(args=[retry.next_log_id], countdown=retry.countdown, exc=retry) from retry


@shared_task(bind=True, name=queue.INBOUND_PROCESS, max_retries=settings.BOX_PUSH_MAX_ATTEMPTS - 1)
def box_inbound_process(self, inbound_log_id: int) -> None:
    """Download a file Box told us about and store it as a new revision."""
    try:
        services.box_inbound_process(inbound_log_id=inbound_log_id)
    except services.BoxRetryLater as retry:
        raise self.retry(countdown=retry.countdown, exc=retry) from retry


@shared_task(name=queue.PUSH_SWEEP)
def box_push_sweep() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): re-send pushes and downloads whose message was lost."""
    return services.box_push_sweep()
