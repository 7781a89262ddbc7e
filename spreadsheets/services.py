"""Writes for spreadsheet imports: upload, confirm the mapping, dry run, commit.

Upload and mapping need PROJECT_CREATE (producers and admins); `actor=None` is an operator at the command line.
The dry run and the commit run in Celery (`tasks`), fetched by id. Every project and deliverable write goes
through the intake services the webhooks use (`project_intake`, `deliverable_upsert`): same validation, same
events, same history, with the source `xlsx:<file name>`.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from projects.selectors import pipeline_template_default
from tracker.errors import ApplicationError, ConflictError
from tracker.models import Organisation
from tracker.permissions import Permission, require_permission

from . import queue
from .columns import COLUMNS, REQUIRED, header_label
from .mapping import mapping_for, mapping_remember
from .models import SpreadsheetImport
from .plan import ERROR, UNCHANGED, build_plan, summary
from .reader import read_sheets
from .writer import write_row

logger = logging.getLogger(__name__)
# Progress is written every this many rows: often enough for a smooth bar, rarely enough to cost nothing.
PROGRESS_EVERY = 250
# Rows written per transaction at commit. Each row is its own savepoint inside it (the intake services are
# atomic), so a refused row never takes others with it; batching saves a disk sync per row.
COMMIT_BATCH = 100


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def spreadsheet_import_upload(
    *, organisation: Organisation, actor, file_name: str, content: bytes
) -> SpreadsheetImport:
    """Store an uploaded file with its headers and a proposed mapping (a remembered one for the same headers,
    else the recognised spellings). A file that cannot be imported at all is refused here, before it is stored:
    wrong type, unreadable, over the size or row limit, no header row."""
    require_permission(actor, Permission.PROJECT_CREATE)
    sheets = read_sheets(content, file_name)
    spreadsheet_import = SpreadsheetImport(
        organisation=organisation,
        created_by=actor,
        file_name=file_name[-255:],
        sha256=_sha256(content),
        size=len(content),
        headers={sheet.kind: sheet.headers for sheet in sheets},
        mapping={
            sheet.kind: mapping_for(organisation=organisation, kind=sheet.kind, headers=sheet.headers)
            for sheet in sheets
        },
        total_rows=sum(len(sheet.rows) for sheet in sheets),
    )
    spreadsheet_import.file.save(file_name, ContentFile(content), save=False)
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
        transaction.on_commit(lambda: queue.send(queue.PLAN, spreadsheet_import.pk))
    return spreadsheet_import


def _sheets_of(spreadsheet_import: SpreadsheetImport):
    with spreadsheet_import.file.open("rb") as handle:
        content = handle.read()
    if _sha256(content) != spreadsheet_import.sha256:
        raise ConflictError("the stored file changed since it was uploaded; upload it again")
    return read_sheets(content, spreadsheet_import.file_name)


def _ticker(spreadsheet_import: SpreadsheetImport, start: int = 0):
    done = [start]

    def tick() -> None:
        done[0] += 1
        if done[0] % PROGRESS_EVERY == 0:
            SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(done_rows=done[0])

    return tick


def _plan(spreadsheet_import: SpreadsheetImport, tick) -> list:
    return build_plan(
        organisation=spreadsheet_import.organisation,
        sheets=_sheets_of(spreadsheet_import),
        mappings=spreadsheet_import.mapping,
        tick=tick,
    )


def _fail(spreadsheet_import: SpreadsheetImport, error: Exception, state: str) -> None:
    message = str(error) if isinstance(error, ApplicationError) else "the import failed unexpectedly; try again"
    if not isinstance(error, ApplicationError):
        logger.exception("spreadsheets.step_failed", extra={"import_id": spreadsheet_import.pk})
    SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(state=state, error=message)


def spreadsheet_import_plan(*, import_id: int) -> SpreadsheetImport:
    """The dry run (a Celery task's body): plan every row and store the report. Writes nothing but the import's
    own row, and only when it is still waiting for this dry run (a redelivered message does nothing)."""
    spreadsheet_import = SpreadsheetImport.objects.select_related("organisation").get(pk=import_id)
    if spreadsheet_import.state != SpreadsheetImport.State.PLANNING:
        return spreadsheet_import
    try:
        rows = [row.as_json() for row in _plan(spreadsheet_import, _ticker(spreadsheet_import))]
    except Exception as error:
        _fail(spreadsheet_import, error, SpreadsheetImport.State.FAILED)
        raise
    SpreadsheetImport.objects.filter(pk=import_id, state=SpreadsheetImport.State.PLANNING).update(
        state=SpreadsheetImport.State.PLANNED,
        report=rows,
        summary=summary(rows),
        done_rows=len(rows),
        total_rows=len(rows),
        planned_at=timezone.now(),
        updated_at=timezone.now(),
    )
    spreadsheet_import.refresh_from_db()
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
        transaction.on_commit(lambda: queue.send(queue.COMMIT, spreadsheet_import.pk))
    return spreadsheet_import


def _same_outcome(before: dict, now) -> bool:
    """A row still does what the dry run showed, or already has the values it would write (a retried commit)."""
    if (before["key"], before["row"]) != (now.key, now.row):
        return False
    if now.action == UNCHANGED and before["action"] != ERROR:
        return True
    return (before["action"], before["changes"], before["errors"]) == (now.action, now.changes, now.errors)


def spreadsheet_import_commit(*, import_id: int) -> SpreadsheetImport:
    """The commit (a Celery task's body). Plans again; if any row would now do something other than the dry run
    showed (someone changed a project meanwhile), nothing is written and the new dry run is shown instead.
    Otherwise each row is written by the intake services in its own savepoint, committed COMMIT_BATCH rows at a
    time, so progress is visible while it runs and one refused row (reported) never undoes the others.
    Safe to redeliver: rows already written plan as unchanged and are left alone."""
    spreadsheet_import = SpreadsheetImport.objects.select_related("organisation").get(pk=import_id)
    if spreadsheet_import.state != SpreadsheetImport.State.COMMITTING:
        return spreadsheet_import
    try:
        plans = _plan(spreadsheet_import, lambda: None)
    except Exception as error:
        _fail(spreadsheet_import, error, SpreadsheetImport.State.PLANNED)
        raise
    before = spreadsheet_import.report
    if len(before) != len(plans) or not all(_same_outcome(b, p) for b, p in zip(before, plans, strict=True)):
        rows = [plan.as_json() for plan in plans]
        SpreadsheetImport.objects.filter(pk=import_id).update(
            state=SpreadsheetImport.State.PLANNED,
            report=rows,
            summary=summary(rows),
            planned_at=timezone.now(),
            error="Projects changed since your dry run. This is the dry run again: review it and commit.",
        )
        return SpreadsheetImport.objects.get(pk=import_id)
    source = f"xlsx:{spreadsheet_import.file_name}"[:120]
    projects: dict = {}
    create_only = {"pipeline_template": pipeline_template_default(organisation=spreadsheet_import.organisation)}
    rows = []
    for start in range(0, len(plans), COMMIT_BATCH):
        with transaction.atomic():
            for plan in plans[start : start + COMMIT_BATCH]:
                result = write_row(spreadsheet_import.organisation, plan, source, projects, create_only)
                rows.append({**plan.as_json(), "result": result})
        SpreadsheetImport.objects.filter(pk=import_id).update(done_rows=len(rows))
    results = {}
    for row in rows:
        results[row["result"]["action"]] = results.get(row["result"]["action"], 0) + 1
    SpreadsheetImport.objects.filter(pk=import_id).update(
        state=SpreadsheetImport.State.COMMITTED,
        report=rows,
        summary={**summary(rows), "results": results},
        done_rows=len(rows),
        committed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    logger.info("spreadsheets.committed", extra={"import_id": import_id, "results": results})
    return SpreadsheetImport.objects.get(pk=import_id)
