"""Hands thumbnail work to Celery by task name, so `revisions` and `thumbnails` never import `tasks` (the same
arrangement as Box's and the CMP adapter's `queue`). A broker that cannot be reached is logged and swallowed: the
revision is committed with its thumbnail PENDING, and the sweep sends it again."""

import logging

from celery import signature

logger = logging.getLogger(__name__)

THUMBNAIL = "deliverables.revision_thumbnail"
THUMBNAIL_SWEEP = "deliverables.thumbnail_sweep"


def send_thumbnail(revision_id: int) -> None:
    """Send the message that makes one revision's thumbnail. Call it on commit."""
    try:
        signature(THUMBNAIL, args=[revision_id]).apply_async()
    except Exception:
        logger.exception("deliverables.thumbnail_enqueue_failed", extra={"revision_id": revision_id})
