"""Hands CMP asset downloads to Celery by task name, so the services that record them never import `tasks`
(the same arrangement as Box's `queue`). A broker that cannot be reached is logged and swallowed: the row is
committed as PENDING, and the sweep sends it again."""

import logging

from celery import signature

logger = logging.getLogger(__name__)

ASSET_FETCH = "optimizely.asset_fetch"
ASSET_FETCH_SWEEP = "optimizely.asset_fetch_sweep"


def send_fetch(fetch_id: int, countdown: float | None = None) -> None:
    """Send the message that downloads one PENDING asset. Call it on commit."""
    try:
        signature(ASSET_FETCH, args=[fetch_id]).apply_async(countdown=countdown)
    except Exception:
        logger.exception("optimizely.asset_enqueue_failed", extra={"fetch_id": fetch_id})
