from django.db import models

from tracker.models import TimeStampedModel


class WebhookReceipt(TimeStampedModel):
    """One row for every call to an inbound webhook, accepted or refused: the audit log of intake.

    It records who called (source IP), what they sent (the body's SHA-256 and size, never the body's
    signature or our secret), which upstream record it was about (`external_key`) and how we answered.
    Written in the intake transaction when the write succeeds (one commit per call), after its rollback when it
    fails, so a domain write that was rolled back still has its receipt.
    """

    class Route(models.TextChoices):
        BRIEFS = "briefs", "Briefs"
        OMG = "omg", "OMG projects"
        DELIVERABLES = "deliverables", "Deliverables"
        CREATIVE_FORCE = "creativeforce", "Creative Force"
        OPTIMIZELY_TASK = "optimizely-task", "Optimizely CMP task events"
        OPTIMIZELY_CONTENT = "optimizely-content", "Optimizely CMP content events"
        OPTUMUS = "optumus", "Optumus"

    class Outcome(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Accepted"
        REJECTED = "REJECTED", "Rejected"  # the caller's request was refused (4xx)
        FAILED = "FAILED", "Failed"  # our side broke (5xx)
        # Answered 200 by the upstream adapters without changing anything:
        IGNORED = "IGNORED", "Ignored"  # an event the tracker does not act on
        STALE = "STALE", "Stale"  # older than the last event applied to the same object
        DUPLICATE = "DUPLICATE", "Duplicate"  # a redelivery of a payload already applied

    route = models.CharField(max_length=20, choices=Route.choices, db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    external_key = models.CharField(max_length=600, blank=True, db_index=True)
    event = models.CharField(max_length=100, blank=True)
    payload_id = models.CharField(max_length=200, blank=True, db_index=True)  # the sender's id for the delivery
    body_sha256 = models.CharField(max_length=64, blank=True)
    body_bytes = models.PositiveIntegerField(default=0)
    signature_verified = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, db_index=True)
    error = models.TextField(blank=True)
    detail = models.TextField(blank=True)  # what an accepted call did, or why it changed nothing
    action = models.CharField(max_length=10, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["route", "-created_at"], name="inbound_receipt_route_idx"),
            # The admin's newest-first list and the retention sweep (created_at < cutoff) read this, not the table.
            models.Index(fields=["-created_at", "-id"], name="inbound_receipt_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.status_code} {self.external_key or '-'}"
