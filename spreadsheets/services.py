"""Writes people start on an import: upload, confirm the mapping, commit, retry a stalled step; and the sweep
that re-queues stalled steps by itself.

Each needs PROJECT_CREATE (producers and admins); `actor=None` is an operator at the command line. The dry run
and the commit themselves run in Celery (`steps`, through `tasks`), fetched by id with the attempt they belong to.
"""

import hashlib
import io
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from tracker.errors import ApplicationError, ConflictError
from tracker.models import Organisation
from tracker.permissions import Permission, require_permission

from . import queue
from .columns import COLUMNS, REQUIRED, header_label
from .mapping import mapping_for, mapping_remember
from .models import SpreadsheetImport
from .reader import HASH_CHUNK, Workbook, check_size, count_rows

RUNNING = (SpreadsheetImport.State.PLANNING, SpreadsheetImport.State.COMMITTING)


def file_digest(stream: BinaryIO) -> tuple[str, int]:
    """`(SHA-256, size)` of a file, read a chunk at a time."""
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


@transaction.atomic
def spreadsheet_import_upload(
    *, organisation: Organisation, actor, file_name: str, content: bytes | BinaryIO
) -> SpreadsheetImport:
    """Store an uploaded file (bytes, or a file such as the upload itself, which Django spools to disk when it
    is large) with its headers, its row count and a proposed mapping (a remembered one for the same headers,
    else the recognised spellings). A file that cannot be imported at all is refused here, before it is stored:
    wrong type, unreadable, over the size or row limit, no header row. Reading it streams every row once."""
    require_permission(actor, Permission.PROJECT_CREATE)
    stream = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    sha256, size = file_digest(stream)
    check_size(size)
    with Workbook(stream, file_name) as book:
        sheets = book.sheets()
        counts = count_rows(book)
    spreadsheet_import = SpreadsheetImport(
        organisation=organisation,
        created_by=actor,
        file_name=file_name[-255:],
        sha256=sha256,
        size=size,
        headers={sheet.kind: sheet.headers for sheet in sheets},
        mapping={
            sheet.kind: mapping_for(organisation=organisation, kind=sheet.kind, headers=sheet.headers)
            for sheet in sheets
        },
        total_rows=sum(counts.values()),
    )
    stream.seek(0)
    spreadsheet_import.file.save(file_name, File(stream), save=False)
    spreadsheet_import.save()
    return spreadsheet_import


def _check_mapping(kind: str, headers: list[str], mapping: dict) -> dict:
    mapping = {header: field for header, field in mapping.items() if field}
    unknown = [field for field in mapping.values() if field not in COLUMNS[kind]]
    if unknown or any(header not in headers for header in mapping):
        raise ApplicationError("the mapping names a column the file does not have")
    twice = {field for field in mapping.values() if list(mapping.values()).count(field) > 1}
    if twice:
        labels = ", ".join(sorted(header_label(kind, field) for field in twice))
        raise ApplicationError(f"each column may be used once: {labels} is chosen more than once")
    missing = [header_label(kind, field) for field in REQUIRED[kind] if field not in mapping.values()]
    if missing:
        raise ApplicationError(f"choose the column that holds {' and '.join(missing)}")
    return mapping


def _lock(spreadsheet_import: SpreadsheetImport) -> SpreadsheetImport:
    return SpreadsheetImport.objects.select_for_update().get(pk=spreadsheet_import.pk)


@transaction.atomic
def spreadsheet_import_set_mapping(
    *, spreadsheet_import: SpreadsheetImport, actor, mapping: dict, enqueue: bool = True
) -> SpreadsheetImport:
    """Confirm (or correct) the mapping, remember it for files with the same headers, and start the dry run
    (in Celery; `enqueue=False` leaves it to the caller, the management command, to run it in-process).
    Allowed again after a dry run, to correct a column; not while a step runs or after the commit."""
    require_permission(actor, Permission.PROJECT_CREATE)
    spreadsheet_import = _lock(spreadsheet_import)
    retry_from = (SpreadsheetImport.State.MAPPING, SpreadsheetImport.State.PLANNED, SpreadsheetImport.State.FAILED)
    if spreadsheet_import.state not in retry_from:
        raise ConflictError(f"this import is {spreadsheet_import.get_state_display().lower()}")
    checked = {
        kind: _check_mapping(kind, headers, mapping.get(kind, {}))
        for kind, headers in spreadsheet_import.headers.items()
    }
    for kind, kind_mapping in checked.items():
        mapping_remember(
            organisation=spreadsheet_import.organisation,
            kind=kind,
            headers=spreadsheet_import.headers[kind],
            mapping=kind_mapping,
        )
    spreadsheet_import.mapping = checked
    spreadsheet_import.state = SpreadsheetImport.State.PLANNING
    spreadsheet_import.done_rows = 0
    spreadsheet_import.error = ""
    spreadsheet_import.save()
    if enqueue:
        _send_on_commit(spreadsheet_import)
    return spreadsheet_import


@transaction.atomic
def spreadsheet_import_start_commit(
    *, spreadsheet_import: SpreadsheetImport, actor, sha256: str, enqueue: bool = True
) -> SpreadsheetImport:
    """Commit what the dry run showed. `sha256` is the file the producer reviewed: a different one is refused.
    Only one commit of an import ever starts (the row is locked and moved out of PLANNED)."""
    require_permission(actor, Permission.PROJECT_CREATE)
    spreadsheet_import = _lock(spreadsheet_import)
    if spreadsheet_import.state != SpreadsheetImport.State.PLANNED:
        raise ConflictError(f"this import is {spreadsheet_import.get_state_display().lower()}")
    if sha256 != spreadsheet_import.sha256:
        raise ConflictError("the file changed since the dry run; run the dry run again")
    spreadsheet_import.state = SpreadsheetImport.State.COMMITTING
    spreadsheet_import.done_rows = 0
    spreadsheet_import.save(update_fields=["state", "done_rows", "updated_at"])
    if enqueue:
        _send_on_commit(spreadsheet_import)
    return spreadsheet_import


def _send_on_commit(spreadsheet_import: SpreadsheetImport) -> None:
    task = queue.PLAN if spreadsheet_import.state == SpreadsheetImport.State.PLANNING else queue.COMMIT
    pk, attempt = spreadsheet_import.pk, spreadsheet_import.attempt
    transaction.on_commit(lambda: queue.send(task, pk, attempt))


def _requeue(spreadsheet_import: SpreadsheetImport) -> SpreadsheetImport:
    """Send the running step again as a new attempt. The old attempt, if it is still somewhere (a late message, a
    slow worker), finds it is no longer current at its next chunk and stops; the new one carries on from what is
    stored: a dry run starts again, a commit skips the rows already written."""
    spreadsheet_import.attempt += 1
    spreadsheet_import.error = ""
    spreadsheet_import.save(update_fields=["attempt", "error", "updated_at"])
    _send_on_commit(spreadsheet_import)
    return spreadsheet_import


@transaction.atomic
def spreadsheet_import_retry(*, spreadsheet_import: SpreadsheetImport, actor) -> SpreadsheetImport:
    """Retry a stalled dry run or commit (the page's Retry button). Only a stalled import is retried, and retrying
    makes it current again, so a second click (or two producers at once) re-queues it once."""
    require_permission(actor, Permission.PROJECT_CREATE)
    spreadsheet_import = _lock(spreadsheet_import)
    if not spreadsheet_import.running:
        raise ConflictError(f"this import is {spreadsheet_import.get_state_display().lower()}: nothing to retry")
    if not spreadsheet_import.stalled:
        raise ConflictError("this import is still running; Retry is offered if it stops moving")
    return _requeue(spreadsheet_import)


def spreadsheet_imports_requeue_stalled(*, now=None) -> int:
    """The beat sweep: re-queue the steps whose worker went silent (a lost message, a killed worker), at most
    SPREADSHEET_IMPORT_AUTO_RETRIES times each. A step that stopped with an error waits for a person's Retry.
    Returns how many were re-queued."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SPREADSHEET_IMPORT_STALL_SECONDS)
    stalled = SpreadsheetImport.objects.filter(
        state__in=RUNNING, updated_at__lt=cutoff, error="", attempt__lt=settings.SPREADSHEET_IMPORT_AUTO_RETRIES
    )
    requeued = 0
    for pk in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            spreadsheet_import = SpreadsheetImport.objects.select_for_update().get(pk=pk)
            if spreadsheet_import.running and spreadsheet_import.updated_at < cutoff and not spreadsheet_import.error:
                _requeue(spreadsheet_import)
                requeued += 1
    return requeued
