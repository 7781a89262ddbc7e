"""Revision thumbnails: recorded with the revision, made by a Celery task, swept when a message is lost.

`revision_create` writes the revision with `thumbnail_status` PENDING and queues `deliverables.revision_thumbnail`
on commit. The task counts a try and commits it, renders outside any transaction (`thumbnailer`: Pillow, pdfium,
ffmpeg; slow, and untrusted input), then stores the JPEG in media storage and marks the revision READY, or NONE
when no picture can be made. It is idempotent: a revision no longer PENDING is left alone, so a message delivered
twice or a sweep racing the first message writes one thumbnail. The beat sweep sends again the revisions still
PENDING after SWEEP_GRACE; one that has used THUMBNAIL_MAX_ATTEMPTS tries (its file killed or hung the worker)
becomes NONE, so no file is tried forever.
"""

import logging
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import queue
from .models import Revision
from .thumbnailer import render_thumbnail

logger = logging.getLogger(__name__)

PENDING, READY, NONE = Revision.ThumbnailStatus.PENDING, Revision.ThumbnailStatus.READY, Revision.ThumbnailStatus.NONE
# How long a PENDING thumbnail may wait for its first message before the sweep assumes it was lost.
SWEEP_GRACE = timedelta(minutes=3)
SWEEP_BATCH = 500


def revision_thumbnail_queue_on_commit(revision: Revision) -> None:
    """Called by `revision_create` in its transaction: the task is sent once the revision exists for it."""
    transaction.on_commit(lambda: queue.send_thumbnail(revision.pk))


def revision_thumbnail_make(*, revision_id: int) -> str:
    """Make one revision's thumbnail; returns the status it ends in ("" when the revision is gone)."""
    with transaction.atomic():
        revision = Revision.objects.select_for_update().filter(pk=revision_id).first()
        if revision is None or revision.thumbnail_status != PENDING:
            return revision.thumbnail_status if revision else ""
        if revision.thumbnail_attempts >= settings.THUMBNAIL_MAX_ATTEMPTS:
            logger.warning("deliverables.thumbnail_given_up", extra={"revision_id": revision_id})
            return _finish(revision, None)
        # Committed before rendering: a try that never returns still counts.
        Revision.objects.filter(pk=revision_id).update(thumbnail_attempts=F("thumbnail_attempts") + 1)
    with _local_path(revision) as path:
        picture = render_thumbnail(path, revision.content_type) if path else None
    with transaction.atomic():
        revision = Revision.objects.select_for_update().filter(pk=revision_id, thumbnail_status=PENDING).first()
        if revision is None:  # made meanwhile by another message, or deleted
            return ""
        return _finish(revision, picture)


def _finish(revision: Revision, picture: bytes | None) -> str:
    if picture:
        revision.thumbnail.save(f"r{revision.round}.jpg", ContentFile(picture), save=False)
        revision.thumbnail_status = READY
    else:
        revision.thumbnail_status = NONE
    revision.save(update_fields=["thumbnail", "thumbnail_status", "updated_at"])
    logger.info("deliverables.thumbnail_made", extra={"revision_id": revision.pk, "status": revision.thumbnail_status})
    return revision.thumbnail_status


@contextmanager
def _local_path(revision: Revision):
    """The revision's file as a path on this machine (ffmpeg and pdfium read paths): the storage's own when it
    has one, else a temporary copy. None when there is no file."""
    if not revision.file:
        yield None
        return
    try:
        local = Path(revision.file.path)
    except NotImplementedError:  # a remote storage: copy it down
        local = None
    if local is not None:
        yield local
        return
    try:
        source = revision.file.open("rb")
    except OSError:  # the file is missing from the storage: the icon
        yield None
        return
    with source, tempfile.NamedTemporaryFile(suffix=Path(revision.file.name).suffix) as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def revision_thumbnail_sweep(*, now=None) -> int:
    """Send again the PENDING thumbnails whose message was lost (a broker outage, a worker killed mid-task);
    revisions made before thumbnails existed start PENDING too, so this also fills them in."""
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    due = list(
        Revision.objects.filter(thumbnail_status=PENDING, created_at__lt=cutoff)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for revision_id in due:
        queue.send_thumbnail(revision_id)
    return len(due)
