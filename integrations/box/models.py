from django.conf import settings
from django.db import models
from django.db.models import Q

from tracker.models import TimeStampedModel


class BoxPushLog(TimeStampedModel):
    """One attempt to send a deliverable's revision to the client's Box folder.

    A push (`push_id`) is up to BOX_PUSH_MAX_ATTEMPTS rows, one per attempt. Each row is written as QUEUED
    before its Celery message is sent, so a lost message or a dead worker leaves a row the periodic sweep
    re-queues. A RUNNING row is held under a lease (`lease_token`, renewed until `lease_expires_at` as the attempt
    works): a lease that ran out means the worker died, and the sweep hands the row to a new attempt, which only
    the holder of the current token may finish. Only `integrations.box.services` writes these rows.
    """

    class Outcome(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        RETRY = "retry", "Failed, retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        APPROVED = "approved", "Deliverable approved"
        MANUAL = "manual", "Send to client (Box)"
        OVERRIDE = "override", "Sent by an admin before approval"
        RETRY = "retry", "Retry"

    push_id = models.UUIDField(db_index=True)
    deliverable = models.ForeignKey("deliverables.Deliverable", on_delete=models.CASCADE, related_name="box_pushes")
    revision = models.ForeignKey(
        "deliverables.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="box_pushes"
    )
    round = models.PositiveIntegerField(null=True, blank=True)
    folder_name = models.CharField(max_length=255, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.QUEUED, db_index=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.APPROVED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    box_folder_id = models.CharField(max_length=64, blank=True)
    box_file_id = models.CharField(max_length=64, blank=True)
    box_file_version_id = models.CharField(max_length=64, blank=True, db_index=True)
    folder_reused = models.BooleanField(default=False)
    new_version = models.BooleanField(default=False)
    # Box already held these exact bytes (same name, same SHA-1), left by an attempt that died after uploading:
    # the existing version was recorded and nothing was uploaded.
    file_reused = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requeued_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A retry's row waits in QUEUED until its backoff is over; the sweep counts it as lost only after that.
    not_before = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["push_id", "attempt"], name="%(app_label)s_%(class)s_unique_attempt"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="%(app_label)s_%(class)s_attempt_positive"),
        ]
        indexes = [
            models.Index(fields=["deliverable", "-created_at"], name="box_push_deliverable_idx"),
            models.Index(fields=["outcome", "updated_at"], name="box_push_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.folder_name or self.deliverable_id} · attempt {self.attempt} · {self.outcome}"

    @property
    def folder_url(self) -> str:
        return f"{settings.BOX_APP_URL.rstrip('/')}/folder/{self.box_folder_id}" if self.box_folder_id else ""


class BoxInboundLog(TimeStampedModel):
    """One delivery of a Box webhook event to `/api/webhooks/box`, trusted or not, and what became of it.

    A verified event's `event_id` is unique among non-duplicate rows: Box redelivers an event up to 12 times,
    and every redelivery after the first is recorded as DUPLICATE and does nothing else.
    """

    class Outcome(models.TextChoices):
        REJECTED = "rejected", "Rejected (signature)"
        INVALID = "invalid", "Invalid payload"
        DUPLICATE = "duplicate", "Duplicate delivery"
        IGNORED = "ignored", "Ignored"
        QUEUED = "queued", "Queued"
        MATCHED = "matched", "New revision"
        UNMATCHED = "unmatched", "Unmatched"
        FAILED = "failed", "Failed"

    delivery_id = models.CharField(max_length=100, blank=True)
    event_id = models.CharField(max_length=100, null=True, blank=True)
    webhook_id = models.CharField(max_length=64, blank=True)
    trigger = models.CharField(max_length=64, blank=True, db_index=True)
    signature_key = models.CharField(max_length=10, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, db_index=True)
    box_file_id = models.CharField(max_length=64, blank=True)
    box_file_version_id = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    box_folder_id = models.CharField(max_length=64, blank=True)
    folder_name = models.CharField(max_length=255, blank=True)
    project = models.ForeignKey("projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deliverable = models.ForeignKey(
        "deliverables.Deliverable", on_delete=models.SET_NULL, null=True, blank=True, related_name="box_inbound"
    )
    revision = models.ForeignKey(
        "deliverables.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="box_inbound"
    )
    detail = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id"],
                condition=~Q(outcome="duplicate"),
                name="%(app_label)s_%(class)s_unique_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trigger or 'event'} {self.event_id or self.delivery_id} · {self.outcome}"
