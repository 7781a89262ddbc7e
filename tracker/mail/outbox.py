"""Recording emails and sending them: at least once, never from a web request.

A row is PENDING from the moment it is recorded. `email_deliver` claims it (PENDING and due, or SENDING with a lease
run out) in one UPDATE, so the task and the sweep never send a row at the same time; it sends, then marks it SENT.
A worker that dies between the send and the mark leaves a SENDING row whose lease runs out and is sent again: an
email may (rarely) arrive twice, but is never lost. A refused send waits and tries again (EMAIL_MAX_ATTEMPTS,
doubling waits) and is then FAILED; a recipient deactivated or without an address by then is SKIPPED.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..errors import ConflictError
from ..models import EMAIL_KINDS, Notification, NotificationPreference, OutgoingEmail
from ..selectors import notification_email_mode
from . import queue
from .render import Rendered, render_notification

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


def email_record(*, recipient, rendered: Rendered, notification: Notification | None = None, digest_date=None):
    """Write a PENDING email row and send it after commit. Call inside the transaction of what it reports."""
    message = OutgoingEmail.objects.create(
        recipient=recipient,
        notification=notification,
        digest_date=digest_date,
        to=recipient.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: queue.send_email(message.pk))
    return message


def email_record_for_notification(notification: Notification) -> OutgoingEmail | None:
    """The notification's email, when its kind needs action and its recipient (active, with an address) wants
    email at once. Digest and in-app-only users get none here; the digest finds their notifications later."""
    recipient = notification.recipient
    if notification.kind not in EMAIL_KINDS or not recipient.is_active or not recipient.email:
        return None
    if notification_email_mode(recipient) != NotificationPreference.Email.IMMEDIATE:
        return None
    return email_record(recipient=recipient, rendered=render_notification(notification), notification=notification)


def _claim(message_id: int) -> bool:
    now = timezone.now()
    due = Q(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=OutgoingEmail.Status.SENDING, lease_expires_at__lt=now)
    return bool(
        OutgoingEmail.objects.filter(due | abandoned, pk=message_id).update(
            status=OutgoingEmail.Status.SENDING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS),
        )
    )


def _finish(message: OutgoingEmail, status: str, **fields) -> None:
    OutgoingEmail.objects.filter(pk=message.pk).update(status=status, lease_expires_at=None, **fields)


def retry_delay(*, attempt: int) -> float:
    """Seconds before the attempt after `attempt`: EMAIL_RETRY_BACKOFF_SECONDS, doubled each time."""
    return settings.EMAIL_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)


def email_deliver(*, message_id: int) -> str:
    """One attempt at sending a due email; returns its status afterwards ("" when it was not due or is taken)."""
    if not _claim(message_id):
        return ""
    message = OutgoingEmail.objects.select_related("recipient").get(pk=message_id)
    recipient = message.recipient
    if not recipient.is_active or not recipient.email:
        _finish(message, OutgoingEmail.Status.SKIPPED, last_error="the recipient is deactivated or has no address")
        return OutgoingEmail.Status.SKIPPED
    mail = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email]
    )
    mail.attach_alternative(message.body_html, "text/html")
    try:
        mail.send(fail_silently=False)
    except Exception as error:  # any backend's failure (SMTP, an ESP's API) is one more attempt used
        return _failed(message, error)
    _finish(message, OutgoingEmail.Status.SENT, sent_at=timezone.now(), to=recipient.email, last_error="")
    logger.info("tracker.email_sent", extra={"email_id": message.pk, "attempts": message.attempts})
    return OutgoingEmail.Status.SENT


def _failed(message: OutgoingEmail, error: Exception) -> str:
    reason = f"{type(error).__name__}: {error}"[:2000]
    final = message.attempts >= settings.EMAIL_MAX_ATTEMPTS
    extra = {"email_id": message.pk, "attempts": message.attempts, "reason": reason, "final": final}
    logger.warning("tracker.email_failed", extra=extra)
    if final:
        _finish(message, OutgoingEmail.Status.FAILED, last_error=reason)
        return OutgoingEmail.Status.FAILED
    delay = retry_delay(attempt=message.attempts)
    next_at = timezone.now() + timedelta(seconds=delay)
    _finish(message, OutgoingEmail.Status.PENDING, last_error=reason, next_attempt_at=next_at)
    queue.send_email(message.pk, countdown=delay)
    return OutgoingEmail.Status.PENDING


@transaction.atomic
def email_send_again(*, message_id: int) -> OutgoingEmail:
    """An admin's "send again" for a FAILED or SKIPPED email (the mail server is fixed, the address added): it is
    PENDING with its attempts reset and is sent after commit. Any other state is refused."""
    message = OutgoingEmail.objects.select_for_update().get(pk=message_id)
    if message.status not in (OutgoingEmail.Status.FAILED, OutgoingEmail.Status.SKIPPED):
        raise ConflictError(f"only a failed or skipped email can be sent again, not a {message.status.lower()} one")
    message.status, message.attempts, message.next_attempt_at = OutgoingEmail.Status.PENDING, 0, timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    transaction.on_commit(lambda: queue.send_email(message.pk))
    return message


def emails_sweep() -> int:
    """Send again what no message sent: PENDING rows due for EMAIL_SWEEP_GRACE_SECONDS (the send after commit or a
    retry's message was lost) and SENDING rows whose lease ran out (their worker died). Returns how many."""
    now = timezone.now()
    grace = timedelta(seconds=settings.EMAIL_SWEEP_GRACE_SECONDS)
    overdue = Q(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now - grace)
    abandoned = Q(status=OutgoingEmail.Status.SENDING, lease_expires_at__lt=now)
    due = OutgoingEmail.objects.filter(overdue | abandoned).order_by("id")
    ids = list(due.values_list("id", flat=True)[:SWEEP_BATCH])
    for message_id in ids:
        queue.send_email(message_id)
    if ids:
        logger.info("tracker.emails_swept", extra={"count": len(ids)})
    return len(ids)


def emails_old(now):
    """Retention (tracker/retention.py): emails sent, failed or skipped more than EMAIL_RETENTION_DAYS ago. A
    pending one is kept whatever its age: it is still to be sent."""
    finished = [OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED, OutgoingEmail.Status.SKIPPED]
    cutoff = now - timedelta(days=settings.EMAIL_RETENTION_DAYS)
    return OutgoingEmail.objects.filter(status__in=finished, created_at__lt=cutoff)
