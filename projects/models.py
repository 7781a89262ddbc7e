from django.conf import settings
from django.db import models
from django.db.models import Q

from tracker.constants import Priority
from tracker.models import ClientTeam, Organisation, TimeStampedModel


class ApprovalType(models.TextChoices):
    """How a stage is completed: NONE by a click, SIMPLE by one approval, FORMAL only through a review session."""

    NONE = "NONE", "None"
    SIMPLE = "SIMPLE", "Simple approval"
    FORMAL = "FORMAL", "Formal review"


class PipelineTemplate(TimeStampedModel):
    """An ordered list of stages that new deliverables copy. One template per organisation is the default."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="pipeline_templates")
    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_default=True), name="%(app_label)s_%(class)s_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PipelineStageTemplate(models.Model):
    """One stage of a pipeline template, with the gate that decides how it is completed."""

    template = models.ForeignKey(PipelineTemplate, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    order = models.PositiveIntegerField(default=0)
    approval_type = models.CharField(max_length=10, choices=ApprovalType.choices, default=ApprovalType.NONE)
    # Four-eyes: whoever approves the stage must not be the person who uploaded the revision under review.
    requires_different_approver = models.BooleanField(default=False)

    class Meta:
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "slug"], name="%(app_label)s_%(class)s_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.template}: {self.name}"


class Project(TimeStampedModel):
    """An accepted piece of work with deliverables. `omg_job_number` is the key every intake path upserts on."""

    class Status(models.TextChoices):
        PIPELINE = "PIPELINE", "Pipeline"
        ACTIVE = "ACTIVE", "Active"
        ON_HOLD = "ON_HOLD", "On hold"
        COMPLETED = "COMPLETED", "Completed"
        CANCELED = "CANCELED", "Canceled"
        ARCHIVED = "ARCHIVED", "Archived"

    Priority = Priority

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="projects")
    project_code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM, db_index=True)
    omg_job_number = models.CharField(max_length=64, null=True, blank=True, unique=True)
    client_team = models.ForeignKey(ClientTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    business_unit = models.CharField(max_length=200, blank=True)
    client = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    outputs = models.PositiveIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    requestor = models.CharField(max_length=320, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_projects"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    pipeline_template = models.ForeignKey(
        PipelineTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    source = models.CharField(max_length=120, default="ui")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="projects_list_idx"),
            # The projects list's order, and the external API's (newest change first, a cursor on updated_at).
            models.Index(fields=["organisation", "-created_at", "-id"], name="projects_recent_idx"),
            models.Index(fields=["organisation", "-updated_at", "-id"], name="projects_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project_code} · {self.name}"
