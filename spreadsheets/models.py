from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from tracker.models import Organisation, TimeStampedModel


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{instance.organisation_id}/{instance.sha256[:16]}/{filename}"


class SpreadsheetImport(TimeStampedModel):
    """One uploaded spreadsheet and what became of it: its column mapping, state and progress. Its per-row
    report (the dry run's plan, then the commit's results) is its `rows`. The file is kept (with its SHA-256)
    so a commit reads exactly the bytes the dry run read.

    While a step runs, its worker moves `updated_at` on after every chunk of rows: an import whose step has not
    moved for SPREADSHEET_IMPORT_STALL_SECONDS, or stopped with an error, is `stalled` (its message was lost,
    its worker died) and may be retried. `attempt` names the run of the step that may write: a retry moves it
    on, so a late copy of the old message, or the old run still going, stops at its next chunk."""

    class State(models.TextChoices):
        MAPPING = "mapping", "Waiting for the column mapping"
        PLANNING = "planning", "Dry run running"
        PLANNED = "planned", "Dry run ready"
        COMMITTING = "committing", "Importing"
        COMMITTED = "committed", "Imported"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="spreadsheet_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=import_upload_to, max_length=500)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    # {"projects": ["OMG #", "Project Name", ...], "deliverables": [...]}: the header row of each sheet found.
    headers = models.JSONField(default=dict, blank=True)
    # {"projects": {"OMG #": "omg_job_number", ...}, ...}: header -> field, as the producer confirmed it.
    mapping = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.MAPPING, db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in (self.State.PLANNING, self.State.COMMITTING)

    @property
    def stalled(self) -> bool:
        if not self.running:
            return False
        cutoff = timezone.now() - timedelta(seconds=settings.SPREADSHEET_IMPORT_STALL_SECONDS)
        return bool(self.error) or self.updated_at < cutoff

    @property
    def has_report(self) -> bool:
        return self.state in (self.State.PLANNED, self.State.COMMITTING, self.State.COMMITTED)

    @property
    def results_text(self) -> str:
        """ "7 created, 1 updated, 3 skipped": what the commit did, always in this order (jsonb keeps no order)."""
        results = self.summary.get("results", {})
        order = ("created", "updated", "unchanged", "skipped")
        return ", ".join(f"{results[action]} {action}" for action in order if results.get(action))

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done_rows / self.total_rows)) if self.total_rows else 0


class ColumnMapping(TimeStampedModel):
    """A mapping a producer confirmed, remembered for the next file whose sheet has the same headers."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # columns.PROJECTS or columns.DELIVERABLES
    headers_key = models.CharField(max_length=64)  # SHA-256 of the normalised header row
    mapping = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "headers_key"], name="%(app_label)s_%(class)s_unique_headers"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.headers_key[:8]}"


class ImportRow(models.Model):
    """One row of an import's per-row report: what the dry run planned for a spreadsheet row (`action`, the
    `changes` old -> new as shown, `errors` by cell, `notes`) and the `values` a commit writes, then what the
    commit did to it (`result`). Written a chunk at a time, read a page or a chunk at a time, so no step holds
    every row of a large file at once."""

    class Action(models.TextChoices):
        CREATE = "create", "Will create"
        UPDATE = "update", "Will update"
        UNCHANGED = "unchanged", "Unchanged"
        ERROR = "error", "Error"

    class Result(models.TextChoices):
        PENDING = "", "Not imported yet"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Unchanged"
        SKIPPED = "skipped", "Skipped"

    spreadsheet_import = models.ForeignKey(SpreadsheetImport, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()  # 0-based, in the order a step reads the rows
    sheet = models.CharField(max_length=255)
    kind = models.CharField(max_length=20)  # columns.PROJECTS or columns.DELIVERABLES
    row = models.PositiveIntegerField()  # the Excel row number
    key = models.CharField(max_length=600, blank=True)  # the OMG job number, or "<job number> / <deliverable>"
    # This row is the one imported for its key (a later row with the same key is a duplicate).
    claims_key = models.BooleanField(default=False)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)  # field label -> [old, new] as shown
    errors = models.JSONField(default=list, blank=True)  # {"cell", "column", "message"}
    notes = models.JSONField(default=list, blank=True)
    values = models.JSONField(default=dict, blank=True)  # what a commit writes (`cells.values_to_json`)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True, default=Result.PENDING)
    result_message = models.TextField(blank=True)

    class Meta:
        ordering = ["spreadsheet_import", "position"]
        constraints = [
            models.UniqueConstraint(fields=["spreadsheet_import", "position"], name="%(app_label)s_%(class)s_position")
        ]
        indexes = [
            models.Index(fields=["spreadsheet_import", "kind", "key"], name="spreadsheets_row_key"),
            models.Index(fields=["spreadsheet_import", "action", "position"], name="spreadsheets_row_action"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet}!{self.row} {self.action}"

    def as_json(self) -> dict:
        """The row as the report, the command and the tests read it."""
        data = {
            "sheet": self.sheet,
            "kind": self.kind,
            "row": self.row,
            "key": self.key,
            "action": self.action,
            "changes": self.changes,
            "errors": self.errors,
            "notes": self.notes,
        }
        if self.result:
            data["result"] = {"action": self.result, "message": self.result_message}
        return data
