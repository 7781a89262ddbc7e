"""The dry run and the commit: the bodies of the Celery tasks, each working through the file a chunk of rows at a
time so memory stays flat however large the file.

The dry run plans each chunk (`plan.SheetPlanner`) and stores its rows (`ImportRow`) before reading the next. The
commit first plans every chunk again and compares it with the stored rows, writing nothing: if any row would now
do something else (someone changed a project meanwhile), the new dry run is stored and shown instead. Then it
writes the stored rows, a chunk per transaction, through the intake services (`writer`), recording each row's
result in the same transaction, so a commit that stops part-way (a lost worker, a time limit) and is retried
carries on after the last chunk written.

Every chunk is also a heartbeat: it moves the import's `updated_at` on, but only while its attempt is still the
import's current one (`Run.beat`). A retry starts a new attempt; the old one, if it is still running, stops at
its next chunk with its uncommitted chunk rolled back.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from projects.selectors import pipeline_template_default
from tracker.errors import ApplicationError, ConflictError

from .cells import values_to_json
from .columns import DELIVERABLES, PROJECTS
from .models import ImportRow, SpreadsheetImport
from .plan import CREATE, RowPlan, SheetPlanner, summary
from .reader import Workbook
from .services import RUNNING, file_digest
from .writer import Batch, write_row

logger = logging.getLogger(__name__)
# Rows per chunk: each chunk is a few queries to plan and one transaction to commit, and the import's heartbeat.
CHUNK = 500
REPLANNED = "Projects changed since your dry run. This is the dry run again: review it and commit."


class Superseded(Exception):
    """A newer attempt of this step has taken over (or the step is no longer running): this one stops."""


class Run:
    """One attempt of one step of an import."""

    def __init__(self, spreadsheet_import: SpreadsheetImport):
        self.pk, self.attempt = spreadsheet_import.pk, spreadsheet_import.attempt

    def _current(self):
        return SpreadsheetImport.objects.filter(pk=self.pk, attempt=self.attempt, state__in=RUNNING)

    def beat(self, **fields) -> None:
        """The heartbeat (and progress): raises Superseded when this attempt is no longer the current one."""
        if not self._current().update(updated_at=timezone.now(), **fields):
            raise Superseded

    def finish(self, **fields) -> bool:
        return bool(self._current().update(updated_at=timezone.now(), **fields))


class StoredRows:
    """The `plan.Ledger` of an import: what its stored rows before a chunk decided."""

    def __init__(self, spreadsheet_import: SpreadsheetImport):
        self.rows = ImportRow.objects.filter(spreadsheet_import=spreadsheet_import)

    def claimed(self, kind: str, keys: list[str], before: int) -> dict[str, int]:
        found = self.rows.filter(kind=kind, key__in=keys, claims_key=True, position__lt=before)
        return dict(found.values_list("key", "row"))

    def creating(self, numbers: list[str]) -> set[str]:
        found = self.rows.filter(kind=PROJECTS, key__in=numbers, action=CREATE)
        return set(found.values_list("key", flat=True))


@contextmanager
def stored_workbook(spreadsheet_import: SpreadsheetImport) -> Iterator[Workbook]:
    """The import's own file, refused if its bytes are not the ones uploaded (and so dry-run)."""
    with spreadsheet_import.file.open("rb") as handle:
        if file_digest(handle)[0] != spreadsheet_import.sha256:
            raise ConflictError("the stored file changed since it was uploaded; upload it again")
        with Workbook(handle, spreadsheet_import.file_name) as book:
            yield book


def _batches(rows: Iterator, size: int = CHUNK) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def plan_chunks(spreadsheet_import: SpreadsheetImport, book: Workbook) -> Iterator[list[RowPlan]]:
    """The plan of every row, a chunk at a time: the projects sheet, then the deliverables sheet. The caller
    stores (or compares) each chunk before asking for the next; later chunks ask the stored rows about earlier
    ones."""
    ledger, position = StoredRows(spreadsheet_import), 0
    for sheet in book.sheets():
        planner = SheetPlanner(
            organisation=spreadsheet_import.organisation,
            sheet=sheet,
            mapping=spreadsheet_import.mapping.get(sheet.kind, {}),
            ledger=ledger,
        )
        for rows in _batches(book.rows(sheet)):
            plans = planner.plan(rows, position)
            yield plans
            position += len(plans)


def _import_row(spreadsheet_import: SpreadsheetImport, plan: RowPlan) -> ImportRow:
    return ImportRow(
        spreadsheet_import=spreadsheet_import,
        position=plan.position,
        sheet=plan.sheet[:255],
        kind=plan.kind,
        row=plan.row,
        key=plan.key[:600],
        claims_key=plan.claims_key,
        action=plan.action,
        changes=plan.changes,
        errors=plan.errors,
        notes=plan.notes,
        values=values_to_json(plan.values) if plan.action != ImportRow.Action.ERROR else {},
    )


def _store_plan(spreadsheet_import: SpreadsheetImport, book: Workbook, run: Run) -> tuple[dict, int]:
    """Plan every row and store the rows (replacing an earlier dry run's). Returns the counts and the total."""
    with transaction.atomic():
        run.beat(done_rows=0)
        ImportRow.objects.filter(spreadsheet_import=spreadsheet_import).delete()
    counts, total = summary([]), 0
    for plans in plan_chunks(spreadsheet_import, book):
        with transaction.atomic():
            run.beat(done_rows=total + len(plans))
            ImportRow.objects.bulk_create(_import_row(spreadsheet_import, plan) for plan in plans)
        for plan in plans:
            counts[plan.action] += 1
        total += len(plans)
    return counts, total


def _is_current(spreadsheet_import: SpreadsheetImport, state: str, attempt: int | None) -> bool:
    """A message is for the step the import is waiting for, and for its current attempt (None: a message sent
    before attempts were counted)."""
    return spreadsheet_import.state == state and attempt in (None, spreadsheet_import.attempt)


def _fail(spreadsheet_import: SpreadsheetImport, run: Run, error: Exception, state: str, message: str = "") -> None:
    reason = str(error) if isinstance(error, ApplicationError) else "the import failed unexpectedly"
    if not isinstance(error, ApplicationError):
        logger.exception("spreadsheets.step_failed", extra={"import_id": spreadsheet_import.pk})
    run.finish(state=state, error=message.format(reason=reason) if message else f"{reason}; try again")


def spreadsheet_import_plan(*, import_id: int, attempt: int | None = None) -> SpreadsheetImport:
    """The dry run: plan every row and store the report. Writes nothing but the import's own rows, and only while
    this is the import's current attempt at its dry run (a redelivered or superseded message does nothing)."""
    spreadsheet_import = SpreadsheetImport.objects.select_related("organisation").get(pk=import_id)
    if not _is_current(spreadsheet_import, SpreadsheetImport.State.PLANNING, attempt):
        return spreadsheet_import
    run = Run(spreadsheet_import)
    try:
        with stored_workbook(spreadsheet_import) as book:
            counts, total = _store_plan(spreadsheet_import, book, run)
    except Superseded:
        return SpreadsheetImport.objects.get(pk=import_id)
    except Exception as error:
        _fail(spreadsheet_import, run, error, SpreadsheetImport.State.FAILED)
        raise
    run.finish(
        state=SpreadsheetImport.State.PLANNED,
        summary=counts,
        done_rows=total,
        total_rows=total,
        planned_at=timezone.now(),
    )
    return SpreadsheetImport.objects.get(pk=import_id)


def _same_outcome(stored: ImportRow, now: RowPlan) -> bool:
    """A row still does what the dry run showed, or an earlier attempt of this commit already wrote it."""
    if (stored.kind, stored.key, stored.row) != (now.kind, now.key, now.row):
        return False
    if stored.result:
        return True
    return (stored.action, stored.changes, stored.errors) == (now.action, now.changes, now.errors)


def _as_planned(spreadsheet_import: SpreadsheetImport, book: Workbook, run: Run) -> bool:
    """Plan every chunk again and compare it with the stored rows; writes nothing but the heartbeat."""
    rows, checked = ImportRow.objects.filter(spreadsheet_import=spreadsheet_import), 0
    for plans in plan_chunks(spreadsheet_import, book):
        stored = list(rows.filter(position__gte=plans[0].position, position__lte=plans[-1].position))
        if len(stored) != len(plans) or not all(map(_same_outcome, stored, plans)):
            return False
        checked += len(plans)
        run.beat()
    return checked == rows.count()


def _save_results(rows: list[ImportRow]) -> None:
    """One UPDATE per distinct outcome (most rows of a chunk share one: created, with no message), not one per
    row or a 500-way CASE."""
    groups: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        groups.setdefault((row.result, row.result_message), []).append(row.pk)
    for (result, message), pks in groups.items():
        ImportRow.objects.filter(pk__in=pks).update(result=result, result_message=message)


def _write(spreadsheet_import: SpreadsheetImport, run: Run) -> None:
    """Write the stored rows not yet written, a chunk per transaction with their results."""
    organisation = spreadsheet_import.organisation
    batch = Batch(
        organisation=organisation,
        source=f"xlsx:{spreadsheet_import.file_name}"[:120],
        create_only={"pipeline_template": pipeline_template_default(organisation=organisation)},
    )
    rows = ImportRow.objects.filter(spreadsheet_import=spreadsheet_import, result="").order_by("position")
    for kind in (PROJECTS, DELIVERABLES):  # every project before the deliverables that may belong to it
        after = -1
        while chunk := list(rows.filter(kind=kind, position__gt=after)[:CHUNK]):
            with transaction.atomic():
                run.beat(done_rows=chunk[-1].position + 1)
                batch.load_projects(chunk)
                for row in chunk:
                    write_row(row, batch)
                _save_results(chunk)
            after = chunk[-1].position


def _counts(spreadsheet_import: SpreadsheetImport, field: str) -> dict:
    rows = ImportRow.objects.filter(spreadsheet_import=spreadsheet_import).order_by()
    return dict(rows.values(field).annotate(n=Count("pk")).values_list(field, "n"))


def spreadsheet_import_commit(*, import_id: int, attempt: int | None = None) -> SpreadsheetImport:
    """The commit (see the module docstring). Safe to redeliver and to retry: only the current attempt writes,
    and rows already written are not written again."""
    spreadsheet_import = SpreadsheetImport.objects.select_related("organisation").get(pk=import_id)
    if not _is_current(spreadsheet_import, SpreadsheetImport.State.COMMITTING, attempt):
        return spreadsheet_import
    run = Run(spreadsheet_import)
    try:
        try:
            with stored_workbook(spreadsheet_import) as book:
                if not _as_planned(spreadsheet_import, book, run):
                    counts, total = _store_plan(spreadsheet_import, book, run)
                    run.finish(
                        state=SpreadsheetImport.State.PLANNED,
                        summary=counts,
                        done_rows=total,
                        total_rows=total,
                        planned_at=timezone.now(),
                        error=REPLANNED,
                    )
                    return SpreadsheetImport.objects.get(pk=import_id)
        except Superseded:
            raise
        except Exception as error:  # nothing was written: back to the dry run, with the reason
            _fail(spreadsheet_import, run, error, SpreadsheetImport.State.PLANNED)
            raise
        try:
            _write(spreadsheet_import, run)
        except Superseded:
            raise
        except Exception as error:  # part written: stays running, stalled, until Retry carries on
            message = "the commit stopped ({reason}); Retry carries on from the last rows written"
            _fail(spreadsheet_import, run, error, SpreadsheetImport.State.COMMITTING, message)
            raise
    except Superseded:
        return SpreadsheetImport.objects.get(pk=import_id)
    results = _counts(spreadsheet_import, "result")
    run.finish(
        state=SpreadsheetImport.State.COMMITTED,
        summary={**summary([]), **_counts(spreadsheet_import, "action"), "results": results},
        done_rows=spreadsheet_import.total_rows,
        committed_at=timezone.now(),
    )
    logger.info("spreadsheets.committed", extra={"import_id": import_id, "results": results})
    return SpreadsheetImport.objects.get(pk=import_id)
