from django.conf import settings
from django.db import models
from django.db.models import Q

from tracker.constants import Priority
from tracker.models import ClientTeam, Organisation, TimeStampedModel


class Brief(TimeStampedModel):
    """An incoming request not yet accepted as a project. Producers triage briefs in the /briefs inbox.

    After promotion the brief stays as the audit trail, with `converted_project` pointing at the project.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        ACCEPTED = "ACCEPTED", "Accepted"
        REJECTED = "REJECTED", "Rejected"

    Priority = Priority

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="briefs")
    external_id = models.CharField(max_length=255, null=True, blank=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    requestor_name = models.CharField(max_length=255, blank=True)
    requestor_email = models.EmailField(max_length=320, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM, db_index=True)
    requested_due_date = models.DateTimeField(null=True, blank=True, db_index=True)
    client_team = models.ForeignKey(ClientTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=120, default="ui", db_index=True)
    raw_payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    converted_project = models.OneToOneField(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="source_brief"
    )
    rejection_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The producer who looks after the brief until it is decided (set in the inbox; told by notification).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_briefs"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=Q(external_id__isnull=False),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
        ]
        # The inbox's tab in its default order, id breaking ties: a page (the last one too, read backwards) is an
        # index range, not a sort of every pending brief. The tab counts are index-only scans of it.
        indexes = [models.Index(fields=["organisation", "status", "-created_at", "-id"], name="briefs_inbox_order_idx")]

    def __str__(self) -> str:
        return self.title
