"""Files CMP tasks point at (`task_asset_added`): recorded when the event arrives, fetched by a Celery task
through the shared address-checked, size-limited client (`integrations.webhooks.http.fetch`: the URL comes from
outside), stored as the deliverable's next revision through reviews' `revision_upload`.

States of a `CmpAssetFetch`: WAITING (the task has no deliverable yet; released when it is linked), PENDING
(queued; `attempts` so far), DONE (with its revision) or FAILED (the reason, and a note in the deliverable's
history). A retryable failure (the network, a 5xx, a timeout) is tried again with growing spacing up to
UPSTREAM_FETCH_MAX_ATTEMPTS; a refused address, a file over the limit or of a kind revisions do not accept is
final at once.
"""

import logging
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from deliverables.models import Deliverable, Revision
from deliverables.revisions import ACCEPTED_EXTENSIONS, REVISION_FILE_KINDS
from deliverables.services import deliverable_note
from integrations.upstream.models import UpstreamObject
from integrations.upstream.services import object_lock, object_touch
from integrations.webhooks.http import FetchFailed, fetch
from reviews.services import revision_upload
from tracker.errors import ApplicationError

from .. import queue
from ..constants import ASSET, PROVIDER, SYSTEM
from ..models import CmpAssetFetch

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# How long a PENDING row may sit past its due time before the sweep assumes its message was lost.
SWEEP_GRACE = timedelta(minutes=5)
_EXTENSION_FOR_TYPE = {content_type: sorted(exts)[0] for exts, content_type in REVISION_FILE_KINDS.values()}


class AssetRetryLater(Exception):
    def __init__(self, countdown: float):
        super().__init__(f"retry in {countdown:g} s")
        self.countdown = countdown


def _queue_on_commit(fetch_id: int) -> None:
    transaction.on_commit(lambda: queue.send_fetch(fetch_id))


def asset_record(*, task: UpstreamObject, asset_id: str, asset_type: str, url: str) -> tuple[CmpAssetFetch, bool]:
    """Record a task's file asset, linked to the task's deliverable if it has one (then queued on commit).
    Returns `(row, created)`; the same asset again is the row already there. Runs in the event's transaction,
    under the task's row lock."""
    asset_link(task=task, asset_id=asset_id, asset_type=asset_type, url=url)
    row, created = CmpAssetFetch.objects.get_or_create(
        organisation=task.organisation,
        asset_id=asset_id,
        defaults={
            "task_id": task.external_id,
            "asset_type": asset_type,
            "url": url,
            "deliverable_id": task.deliverable_id,
            "status": CmpAssetFetch.Status.PENDING if task.deliverable_id else CmpAssetFetch.Status.WAITING,
            "next_attempt_at": timezone.now(),
        },
    )
    if created and row.status == CmpAssetFetch.Status.PENDING:
        _queue_on_commit(row.pk)
    return row, created


def asset_link(*, task: UpstreamObject, asset_id: str, asset_type: str, url: str) -> tuple[UpstreamObject, bool]:
    """Remember which task an asset belongs to, so the content events that later name only the asset (published
    to the library) find the deliverable. Returns `(row, new)`; an asset seen before is left as it was."""
    asset = object_lock(organisation=task.organisation, provider=PROVIDER, kind=ASSET, external_id=asset_id)
    if asset.data.get("task_id"):
        return asset, False
    data = {"task_id": task.external_id, "type": asset_type, "url": url}
    return object_touch(asset, data=data, deliverable=task.deliverable), True


def asset_fetches_release(*, task: UpstreamObject, deliverable: Deliverable) -> int:
    """The task is linked now: its assets point at the deliverable, and its WAITING downloads are queued."""
    UpstreamObject.objects.filter(
        organisation=task.organisation, provider=PROVIDER, kind=ASSET, data__task_id=task.external_id
    ).update(deliverable=deliverable, updated_at=timezone.now())
    waiting = list(
        CmpAssetFetch.objects.filter(
            organisation=task.organisation, task_id=task.external_id, status=CmpAssetFetch.Status.WAITING
        ).values_list("pk", flat=True)
    )
    CmpAssetFetch.objects.filter(pk__in=waiting).update(
        status=CmpAssetFetch.Status.PENDING, deliverable=deliverable, next_attempt_at=timezone.now()
    )
    for fetch_id in waiting:
        _queue_on_commit(fetch_id)
    return len(waiting)


def _file_name(row: CmpAssetFetch, served_name: str, content_type: str) -> str:
    """The served name when revisions accept its extension; else `cmp-<asset id>` with the extension the
    served content type stands for (CMP's download links often end in `/download`)."""
    if PurePosixPath(served_name).suffix.lower() in ACCEPTED_EXTENSIONS:
        return served_name
    stem = PurePosixPath(served_name).stem if served_name and served_name != "download" else f"cmp-{row.asset_id}"
    return f"{stem}{_EXTENSION_FOR_TYPE.get(content_type, PurePosixPath(served_name).suffix)}"


def _retry_delay(attempts: int) -> float:
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _fail(row: CmpAssetFetch, error: str) -> None:
    row.status, row.error, row.finished_at, row.next_attempt_at = (
        CmpAssetFetch.Status.FAILED,
        error,
        timezone.now(),
        None,
    )
    row.save(update_fields=["status", "error", "finished_at", "next_attempt_at", "updated_at"])
    if row.deliverable_id:
        deliverable_note(
            deliverable=row.deliverable,
            system=SYSTEM,
            note=f"Could not fetch CMP asset {row.asset_id} of task {row.task_id}: {error}"[:2000],
        )
    logger.warning("optimizely.asset_fetch_failed", extra={"fetch_id": row.pk, "error": error})


def _start(fetch_id: int) -> CmpAssetFetch | None:
    """Count the attempt in its own transaction, so a worker that dies mid-download still used one."""
    with transaction.atomic():
        row = CmpAssetFetch.objects.select_for_update().filter(pk=fetch_id).first()
        if row is None or row.status != CmpAssetFetch.Status.PENDING or row.deliverable_id is None:
            return None
        row.attempts += 1
        row.save(update_fields=["attempts", "updated_at"])
        return row


def asset_fetch_attempt(*, fetch_id: int) -> CmpAssetFetch | None:
    """One download attempt of a PENDING asset. Raises AssetRetryLater when a retryable failure has attempts
    left; anything else ends the row DONE or FAILED. A row that is not PENDING is left alone (idempotent)."""
    row = _start(fetch_id)
    if row is None:
        return None
    try:
        fetched = fetch(
            row.url, max_bytes=settings.UPSTREAM_FETCH_MAX_BYTES, timeout=settings.UPSTREAM_FETCH_TIMEOUT_SECONDS
        )
    except FetchFailed as failure:
        with transaction.atomic():
            row = CmpAssetFetch.objects.select_for_update(of=("self",)).select_related("deliverable").get(pk=row.pk)
            if failure.retryable and row.attempts < settings.UPSTREAM_FETCH_MAX_ATTEMPTS:
                delay = _retry_delay(row.attempts)
                row.error, row.next_attempt_at = failure.message, timezone.now() + timedelta(seconds=delay)
                row.save(update_fields=["error", "next_attempt_at", "updated_at"])
                raise AssetRetryLater(delay) from failure
            _fail(row, failure.message)
        return row
    with fetched:
        return _store(row.pk, fetched)


def _store(fetch_id: int, fetched) -> CmpAssetFetch:
    with transaction.atomic():
        row = CmpAssetFetch.objects.select_for_update(of=("self",)).select_related("deliverable").get(pk=fetch_id)
        if row.status != CmpAssetFetch.Status.PENDING:
            return row
        name = _file_name(row, fetched.name, fetched.content_type)
        try:
            with transaction.atomic():
                revision = revision_upload(
                    deliverable=row.deliverable,
                    file=File(fetched.file, name=name),
                    actor=None,
                    name=name,
                    source=Revision.Source.UPSTREAM,
                    note=f"From {SYSTEM}: asset {row.asset_id} of task {row.task_id}",
                )
        except ApplicationError as error:
            _fail(row, error.message)
            return row
        row.status, row.revision, row.error = CmpAssetFetch.Status.DONE, revision, ""
        row.finished_at, row.next_attempt_at = timezone.now(), None
        row.save(update_fields=["status", "revision", "error", "finished_at", "next_attempt_at", "updated_at"])
    logger.info("optimizely.asset_fetched", extra={"fetch_id": fetch_id, "revision_id": revision.pk})
    return row


def asset_fetch_sweep(*, now=None) -> int:
    """Send again the PENDING downloads whose message was lost (a broker outage, a worker killed mid-task)."""
    now = now or timezone.now()
    due = list(
        CmpAssetFetch.objects.filter(
            status=CmpAssetFetch.Status.PENDING, deliverable__isnull=False, next_attempt_at__lt=now - SWEEP_GRACE
        ).values_list("pk", flat=True)[:500]
    )
    for fetch_id in due:
        queue.send_fetch(fetch_id)
    return len(due)
