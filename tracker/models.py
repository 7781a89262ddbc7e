from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class TimeStampedModel(models.Model):
    """Every domain row records when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    """A studio deployment's tenant. Every domain row belongs to one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Their role decides what they may do (see `tracker.permissions`)."""

    class Role(models.TextChoices):
        ADMIN = "ADMIN", "Admin"
        PRODUCER = "PRODUCER", "Producer"
        REVIEWER = "REVIEWER", "Reviewer"
        VIEWER = "VIEWER", "Viewer"

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ClientTeam(TimeStampedModel):
    """A team on the client side (brand, events, b2b ...) that briefs and projects are for."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="client_teams")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="%(app_label)s_%(class)s_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """Something a user should see in their bell: a review request, changes requested, a file from Box ..."""

    class Kind(models.TextChoices):
        REVIEW_REQUESTED = "REVIEW_REQUESTED", "Review requested"
        CHANGES_REQUESTED = "CHANGES_REQUESTED", "Changes requested"
        FEEDBACK_ADDED = "FEEDBACK_ADDED", "Feedback added"
        DELIVERABLE_APPROVED = "DELIVERABLE_APPROVED", "Deliverable approved"
        BOX_UNMATCHED_FILE = "BOX_UNMATCHED_FILE", "Unmatched file in Box"
        NEW_FILE_AWAITING_REVIEWER = "NEW_FILE_AWAITING_REVIEWER", "New file awaiting reviewer"
        BOX_PUSH_FAILED = "BOX_PUSH_FAILED", "Box push failed"
        GENERAL = "GENERAL", "General"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="tracker_notif_recipient_read")]

    def __str__(self) -> str:
        return self.title
