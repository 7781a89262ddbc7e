from django.conf import settings
from django.db import models

from projects.models import ApprovalType, PipelineStageTemplate, Project
from tracker.constants import Priority
from tracker.models import TimeStampedModel


class Deliverable(TimeStampedModel):
    """One unit of work in a project, moving through its own copy of the pipeline's stages.

    `(project, name)` is the natural key upstream systems upsert on; `slug` names its Box folders.
    Status and stage changes only go through `deliverables.services`.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "NOT_STARTED", "Not started"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        IN_REVIEW = "IN_REVIEW", "In review"
        APPROVED = "APPROVED", "Approved"
        ON_HOLD = "ON_HOLD", "On hold"

    Priority = Priority

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliverables")
    name = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED, db_index=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    notes = models.TextField(blank=True)
    cmf_sku = models.CharField(max_length=120, blank=True)
    asset_count = models.PositiveIntegerField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_deliverables"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    current_stage = models.ForeignKey(
        "deliverables.Stage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The status it had when it was put on hold: a release returns to it.
    held_from = models.CharField(max_length=12, choices=Status.choices, blank=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.UniqueConstraint(fields=["project", "slug"], name="%(app_label)s_%(class)s_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A deliverable's own copy of one pipeline stage, with its gate and who completed it."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        ACTIVE = "ACTIVE", "Active"
        DONE = "DONE", "Done"

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="stages")
    template_stage = models.ForeignKey(
        PipelineStageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    order = models.PositiveIntegerField()
    approval_type = models.CharField(max_length=10, choices=ApprovalType.choices, default=ApprovalType.NONE)
    requires_different_approver = models.BooleanField(default=False)  # four-eyes, copied from the template
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deliverable", "order"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "order"], name="%(app_label)s_%(class)s_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} · {self.name}"


def revision_upload_to(revision: "Revision", filename: str) -> str:
    return f"revisions/{revision.deliverable_id}/r{revision.round}/{filename}"


def revision_thumbnail_upload_to(revision: "Revision", filename: str) -> str:
    return f"revisions/{revision.deliverable_id}/r{revision.round}/thumbnail/{filename}"


class Revision(TimeStampedModel):
    """A file submitted for a deliverable. Rounds count 1, 2, ... per deliverable.

    Its thumbnail is made by a Celery task after the revision commits (`deliverables.thumbnails`): PENDING until
    then, READY with the picture, NONE when no picture can be made (a file Pillow, pdfium or ffmpeg cannot read,
    or a video with no ffmpeg installed), where pages show the file kind's icon.
    """

    class ThumbnailStatus(models.TextChoices):
        PENDING = "PENDING", "Pending"
        READY = "READY", "Ready"
        NONE = "NONE", "No picture"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        BOX = "box", "Box"
        API = "api", "API"
        UPSTREAM = "upstream", "Upstream system"  # a file an upstream adapter fetched (an Optimizely CMP asset)

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="revisions")
    round = models.PositiveIntegerField()
    file = models.FileField(upload_to=revision_upload_to, max_length=500)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    thumbnail = models.FileField(upload_to=revision_thumbnail_upload_to, max_length=500, blank=True)
    thumbnail_status = models.CharField(
        max_length=8, choices=ThumbnailStatus.choices, default=ThumbnailStatus.PENDING, db_index=True
    )
    # Counted before each try, so a file that kills or hangs the worker is given up on after a few (the icon).
    thumbnail_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["deliverable", "-round"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "round"], name="%(app_label)s_%(class)s_unique_round"),
            models.CheckConstraint(condition=models.Q(round__gte=1), name="%(app_label)s_%(class)s_round_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} · round {self.round}"


class Transition(models.Model):
    """One step of a deliverable's approval trail: an intent applied by a person or an upstream system, with the
    status before and after and the stage it concerned. Written in the transaction of the change itself, by the
    state machine only (`deliverables.services.intents`); never edited."""

    class Source(models.TextChoices):
        UI = "ui", "Web page"
        WEBHOOK = "webhook", "Webhook"
        API = "api", "API"
        REVIEW_SESSION = "review_session", "Review session"
        BOX = "box", "Box"
        ADMIN = "admin", "Admin"

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="transitions")
    intent = models.CharField(max_length=32)
    from_status = models.CharField(max_length=12, choices=Deliverable.Status.choices)
    to_status = models.CharField(max_length=12, choices=Deliverable.Status.choices)
    stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    stage_name = models.CharField(max_length=120, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    system = models.CharField(max_length=100, blank=True)  # the upstream system, when no person acted
    source = models.CharField(max_length=20, choices=Source.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["deliverable", "-created_at", "-id"]
        indexes = [models.Index(fields=["deliverable", "-id"], name="deliverables_transition_recent")]

    def __str__(self) -> str:
        return f"{self.deliverable} · {self.intent}: {self.from_status} → {self.to_status}"
