"""What the Optimizely CMP adapter keeps beyond the shared upstream rows: one download per task asset, and the
proxies Django admin lists the CMP mappings and objects under."""

from django.db import models

from deliverables.models import Deliverable, Revision
from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject
from tracker.models import Organisation, TimeStampedModel


class CmpAssetFetch(TimeStampedModel):
    """A file a CMP task asset points at (`asset.links.self`), to become a revision of the task's deliverable.

    Recorded when the event arrives (WAITING while the task has no deliverable yet, else PENDING), then fetched by
    a Celery task with retries: DONE with its revision, or FAILED with the reason. One row per asset: a second
    event for the same asset finds it and changes nothing.
    """

    class Status(models.TextChoices):
        WAITING = "WAITING", "Waiting for a linked deliverable"
        PENDING = "PENDING", "Pending"
        DONE = "DONE", "Done"
        FAILED = "FAILED", "Failed"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    task_id = models.CharField(max_length=200, db_index=True)
    asset_id = models.CharField(max_length=200)
    asset_type = models.CharField(max_length=20)
    url = models.TextField()
    deliverable = models.ForeignKey(Deliverable, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    revision = models.ForeignKey(Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "CMP asset download"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "asset_id"], name="%(app_label)s_%(class)s_asset"),
        ]

    def __str__(self) -> str:
        return f"CMP asset {self.asset_id} ({self.get_status_display().lower()})"


class CmpMappingManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(provider=Provider.OPTIMIZELY)


class CmpMapping(UpstreamMapping):
    """The studio's Optimizely CMP mappings (step name → stage, CMP user → our user), in Django admin."""

    objects = CmpMappingManager()

    class Meta:
        proxy = True
        verbose_name = "CMP mapping"


class CmpObjectManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(provider=Provider.OPTIMIZELY)


class CmpObject(UpstreamObject):
    """The CMP tasks and assets the tracker has seen, and the brief or deliverable each is linked to."""

    objects = CmpObjectManager()

    class Meta:
        proxy = True
        verbose_name = "CMP task or asset"
