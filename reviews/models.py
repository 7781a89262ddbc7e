from django.conf import settings
from django.db import models
from django.db.models import Q

from deliverables.models import Deliverable, Revision, Stage
from tracker.models import Organisation, TimeStampedModel


class Annotation(TimeStampedModel):
    """A pin dropped on a revision: where (x, y as fractions of the image, 0..1) and what the reviewer said.

    Creating one creates the FeedbackItem (an action item) that carries its status.
    """

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    x = models.FloatField()
    y = models.FloatField()
    body = models.TextField()

    class Meta:
        ordering = ["revision", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(x__gte=0) & Q(x__lte=1), name="%(app_label)s_%(class)s_x_in_unit"),
            models.CheckConstraint(condition=Q(y__gte=0) & Q(y__lte=1), name="%(app_label)s_%(class)s_y_in_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.revision} · ({self.x:.2f}, {self.y:.2f})"


class FeedbackItem(TimeStampedModel):
    """One piece of feedback on a stage, usually about one revision. Action items must be resolved (or marked
    won't-fix) before a FORMAL stage can pass; an open action item left on round N is carried into round N+1
    as a new item whose `carried_from` points back, and the old one becomes CARRIED."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        RESOLVED = "RESOLVED", "Resolved"
        WONT_FIX = "WONT_FIX", "Won't fix"
        CARRIED = "CARRIED", "Carried forward"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="feedback_items")
    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, null=True, blank=True, related_name="feedback_items"
    )
    # A carried item keeps pointing at the pin it started from, so the pin still shows on later rounds.
    annotation = models.ForeignKey(
        Annotation, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback_items"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    is_action_item = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # An item is carried forward at most once, even when two uploads race.
            models.UniqueConstraint(
                fields=["carried_from"],
                condition=Q(carried_from__isnull=False),
                name="%(app_label)s_%(class)s_carried_once",
            ),
        ]
        indexes = [models.Index(fields=["revision", "status"], name="reviews_fb_revision_status")]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReviewSession(TimeStampedModel):
    """A formal review meeting: DRAFT (build the running order) -> IN_PROGRESS (the presenter records a
    decision per item) -> COMPLETED (decisions applied to the deliverables' FORMAL stages)."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        COMPLETED = "COMPLETED", "Completed"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="review_sessions")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewSessionItem(TimeStampedModel):
    """One deliverable's FORMAL stage on a session's running order, shown at one revision, and its decision."""

    class Decision(models.TextChoices):
        PENDING = "PENDING", "Pending"
        APPROVED = "APPROVED", "Approved"
        CHANGES_REQUESTED = "CHANGES_REQUESTED", "Changes requested"
        REJECTED = "REJECTED", "Rejected"

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="items")
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="review_items")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="review_items")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="review_items")
    position = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING, db_index=True)
    notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "stage"], name="%(app_label)s_%(class)s_unique_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.deliverable}"
