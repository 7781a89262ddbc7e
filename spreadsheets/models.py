from django.conf import settings
from django.db import models

from tracker.models import Organisation, TimeStampedModel


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{instance.organisation_id}/{instance.sha256[:16]}/{filename}"


class SpreadsheetImport(TimeStampedModel):
    """One uploaded spreadsheet and what became of it: its column mapping, the dry run's per-row report, and the
    commit's. The file is kept (with its SHA-256) so a commit reads exactly the bytes the dry run read."""

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
    # The dry run's rows (`plan.RowPlan.as_json`), then the commit's, with the action that happened to each.
    report = models.JSONField(default=list, blank=True)
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
