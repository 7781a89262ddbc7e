"""Celery adapters for the Optimizely CMP adapter: take an id, call one service (see `queue` for the names)."""

from celery import shared_task
from django.conf import settings

from . import queue, services

# A fetch may follow redirects, each hop bounded by UPSTREAM_FETCH_TIMEOUT_SECONDS: give the task room for them.
_FETCH_TIME_LIMIT = int(settings.UPSTREAM_FETCH_TIMEOUT_SECONDS * 4) + 60


@shared_task(
    bind=True,
    name=queue.ASSET_FETCH,
    max_retries=settings.UPSTREAM_FETCH_MAX_ATTEMPTS,
    soft_time_limit=_FETCH_TIME_LIMIT,
    time_limit=_FETCH_TIME_LIMIT + 30,
)
def asset_fetch(self, fetch_id: int) -> None:
    """One download attempt; a retryable failure comes back after the service's countdown."""
    try:
        services.asset_fetch_attempt(fetch_id=fetch_id)
    except services.AssetRetryLater as retry:
        raise self.retry(countdown=retry.countdown, exc=retry) from retry


@shared_task(name=queue.ASSET_FETCH_SWEEP)
def asset_fetch_sweep() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): send again downloads whose message was lost."""
    return services.asset_fetch_sweep()
