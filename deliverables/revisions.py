"""Revisions: the one place Revision rows are written, and the check every revision file passes first.

A page upload, a file arriving from Box and the demo data all come here through the reviews service
`revision_upload`, which adds what reviews owns (carrying open action items forward, asking reviewers).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.text import get_valid_filename

from tracker.errors import ApplicationError, NotFoundError
from tracker.events import emit
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user

from .models import Deliverable, Revision
from .thumbnails import revision_thumbnail_queue_on_commit

logger = logging.getLogger(__name__)

# kind -> (accepted extensions, content type). The extension and the file's first bytes must agree.
REVISION_FILE_KINDS = {
    "png": ({".png"}, "image/png"),
    "jpeg": ({".jpg", ".jpeg"}, "image/jpeg"),
    "webp": ({".webp"}, "image/webp"),
    "pdf": ({".pdf"}, "application/pdf"),
    "mp4": ({".mp4"}, "video/mp4"),
}
ACCEPTED_EXTENSIONS = sorted(ext for exts, _ in REVISION_FILE_KINDS.values() for ext in exts)


def _detect_kind(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def revision_file_check(*, file, name: str | None = None) -> tuple[str, str]:
    """Check an uploaded file's size, extension and first bytes. Returns `(kind, content_type)` or raises
    ApplicationError saying what is wrong."""
    name = name or getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not size:
        raise ApplicationError("the file is empty", {"field": "file"})
    limit = settings.REVISION_MAX_UPLOAD_BYTES
    if size > limit:
        raise ApplicationError(
            f"the file is {size:,} bytes; the limit is {limit:,} bytes", {"field": "file", "limit": limit}
        )
    extension = Path(name).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise ApplicationError(
            f"{extension or 'files without an extension'} is not accepted: upload PNG, JPEG, WebP, PDF or MP4",
            {"field": "file"},
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = _detect_kind(head)
    if kind is None or extension not in REVISION_FILE_KINDS[kind][0]:
        raise ApplicationError(
            f"the file's contents are not a {extension[1:].upper()} file: upload PNG, JPEG, WebP, PDF or MP4",
            {"field": "file"},
        )
    return kind, REVISION_FILE_KINDS[kind][1]


@transaction.atomic
def revision_create(
    *, deliverable: Deliverable, file, name: str | None, source: str, actor, note: str = ""
) -> Revision:
    """Store a checked file as the deliverable's next round (N+1), queue its thumbnail on commit and emit
    `revision.created`.

    The round is allocated under a row lock on the deliverable, held until the caller's transaction ends, so
    concurrent uploads get distinct rounds (the unique (deliverable, round) constraint backs it up). `actor`
    None is an upstream system (a Box file) that its edge already trusted; a user needs REVISION_UPLOAD and
    only ever reaches their own organisation's deliverables.
    """
    require_permission(actor, Permission.REVISION_UPLOAD)
    original_name = Path(name or getattr(file, "name", "") or "").name
    kind, content_type = revision_file_check(file=file, name=original_name)
    deliverable = Deliverable.objects.select_for_update(of=("self",)).select_related("project").get(pk=deliverable.pk)
    if actor is not None and deliverable.project.organisation_id != organisation_for_user(actor).pk:
        raise NotFoundError("deliverable not found")
    next_round = (Revision.objects.filter(deliverable=deliverable).aggregate(m=Max("round"))["m"] or 0) + 1
    revision = Revision(
        deliverable=deliverable,
        round=next_round,
        original_name=original_name[:255],
        content_type=content_type,
        size=file.size,
        source=source,
        created_by=actor,
        note=note,
    )
    revision.file.save(get_valid_filename(original_name) or f"revision.{kind}", file, save=False)
    revision.save()
    revision_thumbnail_queue_on_commit(revision)  # PENDING until the worker has made it
    emit(
        "revision.created",
        {
            "deliverableId": str(deliverable.pk),
            "revisionId": str(revision.pk),
            "round": revision.round,
            "source": source,
        },
    )
    logger.info(
        "deliverables.revision_created",
        extra={"deliverable_id": deliverable.pk, "revision_id": revision.pk, "round": revision.round},
    )
    return revision
