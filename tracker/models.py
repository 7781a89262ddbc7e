from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
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
        REVIEW_PASSED = "REVIEW_PASSED", "Review passed"
        REVIEW_REJECTED = "REVIEW_REJECTED", "Rejected"
        BOX_UNMATCHED_FILE = "BOX_UNMATCHED_FILE", "Unmatched file in Box"
        NEW_FILE_AWAITING_REVIEWER = "NEW_FILE_AWAITING_REVIEWER", "New file awaiting reviewer"
        BOX_PUSH_FAILED = "BOX_PUSH_FAILED", "Box push failed"
        STAGE_WAITING = "STAGE_WAITING", "Stage waiting for approval"
        ASSIGNED = "ASSIGNED", "Assigned to you"
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


# The kinds that ask the recipient to act: the only ones sent by email (at once or in the daily digest). The rest
# (a pass, feedback, a file arriving) stay in the bell.
EMAIL_KINDS = frozenset(
    {
        Notification.Kind.STAGE_WAITING,
        Notification.Kind.CHANGES_REQUESTED,
        Notification.Kind.REVIEW_REJECTED,
        Notification.Kind.ASSIGNED,
        Notification.Kind.BOX_PUSH_FAILED,
    }
)


class NotificationPreference(TimeStampedModel):
    """How a user wants the notifications that need action to reach them besides the bell. A user without a row
    has the default (NOTIFICATION_EMAIL_DEFAULT); only `notification_preference_set` writes rows."""

    class Email(models.TextChoices):
        NONE = "NONE", "In the app only"
        IMMEDIATE = "IMMEDIATE", "Email me at once"
        DAILY = "DAILY", "One email a day (digest)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE, db_index=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"


class OutgoingEmail(TimeStampedModel):
    """One email, recorded (rendered, with its recipient) before anything is sent: an outbox.

    A Celery task sends it after commit; a lost message, a dead worker or a mail server that refused it leaves the
    row PENDING (or SENDING with a lease that runs out) and the sweep sends it again, so a request never waits on
    SMTP and nothing is lost. Either one notification's email (`notification`) or a user's daily digest
    (`digest_date`, at most one per user per day: the constraint makes the digest idempotent).
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"
        SKIPPED = "SKIPPED", "Skipped"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emails")
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="email"
    )
    digest_date = models.DateField(null=True, blank=True)
    to = models.EmailField(max_length=320)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_date"],
                condition=models.Q(digest_date__isnull=False),
                name="%(app_label)s_%(class)s_one_digest_a_day",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="tracker_email_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class ApiKey(TimeStampedModel):
    """A machine client's credential for the external API v1, scoped to one organisation.

    The secret (`st_<prefix>_<random>`) is shown once when the key is created; only its SHA-256 is stored.
    `prefix` finds the row, the hash is compared in constant time (see `tracker.api.services`).
    """

    class Scope(models.TextChoices):
        PROJECTS_READ = "projects:read", "Read projects and deliverables"
        PROJECTS_WRITE = "projects:write", "Create and update projects"
        DELIVERABLES_WRITE = "deliverables:write", "Create and update deliverables"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        constraints = [
            models.UniqueConstraint(fields=["prefix"], name="%(app_label)s_%(class)s_unique_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(TimeStampedModel):
    """One `Idempotency-Key` an API key sent, with the request's fingerprint and, once done, its response.

    The row is inserted (and committed) before the request's work runs, so `(api_key, key)` being unique is
    what stops two concurrent requests with one key from both running. Rows expire after
    IDEMPOTENCY_KEY_TTL_HOURS and are purged by a periodic task.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        COMPLETED = "COMPLETED", "Completed"

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="%(app_label)s_%(class)s_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class Event(models.Model):
    """A domain event, written in the transaction of the change it reports (a transactional outbox).

    Subscribers hear it from this row: right after commit, and from the sweep for any row a crashed process or a
    failing subscriber left undispatched. `dispatched_at` is set once every subscriber has handled it; a row is
    pruned only after that, past EVENTS_RETENTION_DAYS.
    """

    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class EventDelivery(models.Model):
    """One subscriber has handled one event. Written in the same transaction as the subscriber's own work, so a
    redelivered event (the sweep after a lost callback, two dispatchers at once) never acts twice."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=255)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="%(app_label)s_%(class)s_unique_subscriber"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber}"
