"""What the upstream adapters keep between calls: the studio's mappings, the objects they have seen, the
payloads they have applied."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from tracker.models import Organisation, TimeStampedModel


class Provider(models.TextChoices):
    CREATIVE_FORCE = "creativeforce", "Creative Force"
    OPTIMIZELY = "optimizely", "Optimizely CMP"
    OPTUMUS = "optumus", "Optumus"


class UpstreamMapping(TimeStampedModel):
    """One studio-specific translation of an upstream value (a step name, a status, a brand, a user) into ours.

    The adapters ship defaults in code; a row here overrides the default for that value. `upstream_value` is
    matched ignoring case; an empty `target` means "ignore this value".
    """

    class Kind(models.TextChoices):
        STEP = "step", "Step → stage name"
        PROJECT_STATUS = "project_status", "Status → project status"
        DELIVERABLE_STATUS = "deliverable_status", "Status → deliverable status"
        BRAND = "brand", "Brand / client → client team name"
        USER = "user", "Upstream user → username or e-mail"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    upstream_value = models.CharField(max_length=200)
    target = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["provider", "kind", "upstream_value"]
        constraints = [
            models.UniqueConstraint(
                "organisation", "provider", "kind", Lower("upstream_value"), name="upstream_mapping_unique_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.kind}: {self.upstream_value} → {self.target or '(ignored)'}"

    def clean(self):
        from deliverables.models import Deliverable
        from projects.models import Project

        allowed = {
            self.Kind.PROJECT_STATUS: Project.Status.values,
            self.Kind.DELIVERABLE_STATUS: Deliverable.Status.values,
        }.get(self.kind)
        self.upstream_value, self.target = self.upstream_value.strip(), self.target.strip()
        if allowed and self.target and self.target not in allowed:
            raise ValidationError({"target": f"Must be one of {', '.join(allowed)}, or empty to ignore the value."})


class UpstreamObject(TimeStampedModel):
    """One object of an upstream system (a Creative Force job, product or task; a CMP task; an Optumus
    opportunity), the tracker row it became, and the time of the last event applied to it (so an older event
    arriving late is recorded as stale instead of overwriting newer state)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=30)
    external_id = models.CharField(max_length=200)
    last_event_at = models.DateTimeField(null=True, blank=True)
    project = models.ForeignKey("projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deliverable = models.ForeignKey(
        "deliverables.Deliverable", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    brief = models.ForeignKey("briefs.Brief", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)  # what the adapter keeps of the object (codes, names)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider", "kind", "external_id"], name="upstream_object_unique_key"
            )
        ]
        indexes = [models.Index(fields=["provider", "kind", "deliverable"], name="upstream_object_deliverable")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.kind} {self.external_id}"


class ProcessedPayload(models.Model):
    """A delivery already applied, by the sender's payload id (or the body's hash where it sends none):
    a redelivery finds its row and changes nothing."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    payload_id = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "payload_id"], name="upstream_payload_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.payload_id}"
