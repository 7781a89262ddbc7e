"""Celery adapters for deliverables: take an id, call one service (see `queue` for the names)."""

from celery import shared_task

from . import queue, thumbnails


# pdfium renders in C, where a soft limit cannot interrupt it; the hard limit ends the worker child instead, and
# the try counted before rendering makes such a file the icon after THUMBNAIL_MAX_ATTEMPTS.
@shared_task(name=queue.THUMBNAIL, soft_time_limit=60, time_limit=90)
def revision_thumbnail(revision_id: int) -> str:
    return thumbnails.revision_thumbnail_make(revision_id=revision_id)


@shared_task(name=queue.THUMBNAIL_SWEEP)
def thumbnail_sweep() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): send again thumbnails whose message was lost."""
    return thumbnails.revision_thumbnail_sweep()
