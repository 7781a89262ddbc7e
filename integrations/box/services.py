"""Writes for the Box integration: pushing approved work out, and turning files dropped in Box into revisions.

Outbound. A push is queued as a BoxPushLog row ("queued") and only then sent to Celery (`transaction.on_commit`),
so nothing is lost if the message is: `box_push_sweep` re-sends rows stuck in "queued". Each attempt claims its
row, talks to Box outside any transaction, and records the outcome. Network errors, 429 and 5xx are retried with
exponential backoff up to BOX_PUSH_MAX_ATTEMPTS (a new "queued" row per attempt, written before the retry message
is sent); any other 4xx, or Box not being configured, fails at once with the reason.

Inbound. `box_inbound_receive` verifies Box's signature on the raw body, dedupes on the event id (a unique
constraint) and queues the download; `box_inbound_process` matches the parent folder by OMG number + slug and
stores the file as the deliverable's next revision. Every delivery is a BoxInboundLog row. Keys, tokens and
signatures are never logged.
"""

import base64
import hashlib
import hmac
import json
import logging
import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from box_sdk_gen import (
    BoxAPIError,
    BoxSDKError,
    CreateFolderParent,
    UploadFileAttributes,
    UploadFileAttributesParentField,
    UploadFileVersionAttributes,
)
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from deliverables.models import Deliverable, Revision
from projects.models import Project
from tracker.errors import ApplicationError, ConflictError, PermissionDeniedError
from tracker.models import Notification, User
from tracker.permissions import Permission, has_permission
from tracker.services import notification_create

from .client import BoxNotConfiguredError, box_client, box_configuration
from .models import BoxInboundLog, BoxPushLog
from .naming import delivery_folder_name, parse_delivery_folder_name

logger = logging.getLogger(__name__)

IN_FLIGHT = (BoxPushLog.Outcome.QUEUED, BoxPushLog.Outcome.RUNNING)
HANDLED_TRIGGERS = ("FILE.UPLOADED", "FILE.COPIED", "FILE.MOVED")


class BoxRetryLater(Exception):
    """A retryable failure has been recorded; the Celery task retries after `countdown` seconds.

    For pushes, `next_log_id` is the "queued" row of the next attempt, already committed.
    """

    def __init__(self, reason: str, *, countdown: float, next_log_id: int | None = None):
        super().__init__(reason)
        self.countdown = countdown
        self.next_log_id = next_log_id


class BoxWebhookRejected(ApplicationError):
    status_code = 401


@dataclass
class _Failure(Exception):
    reason: str
    retryable: bool
    http_status: int | None = None


def box_retry_backoff(*, attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: BOX_RETRY_BACKOFF_SECONDS doubled per attempt, capped, jittered."""
    delay = min(settings.BOX_RETRY_BACKOFF_MAX_SECONDS, settings.BOX_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
    # Jitter spreads out pushes that failed together (a Box outage) so they do not all come back at once.
    return delay * random.uniform(0.8, 1.0)  # noqa: S311 - timing jitter, not a secret


def deliverable_page_url(deliverable: Deliverable) -> str:
    for name in ("deliverables:detail", "reviews:annotate"):
        try:
            return reverse(name, args=[deliverable.pk])
        except NoReverseMatch:
            continue
    return reverse("box:settings")


def _admins():
    return User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True), is_active=True)


def _notify(recipients, *, kind: str, title: str, body: str, url: str) -> None:
    seen = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        notification_create(recipient=user, kind=kind, title=title, body=body, url=url)


# --- outbound -------------------------------------------------------------------------------------------------


def _require(actor, permission: Permission) -> None:
    if not has_permission(actor, permission):
        raise PermissionDeniedError("permission denied")


@transaction.atomic
def box_push_queue(
    *, deliverable: Deliverable, trigger: str, requested_by: User | None = None, refuse_in_flight: bool = False
) -> BoxPushLog:
    """Record a push of the deliverable's latest revision and send it to Celery once this commits.

    When it cannot be sent at all (Box not configured, no revision, no OMG number to name the folder) the row
    is written "failed" with the reason and nothing is queued. `refuse_in_flight` (the buttons) raises
    ConflictError while another push of the deliverable is queued or running.
    """
    deliverable = Deliverable.objects.select_for_update().select_related("project").get(pk=deliverable.pk)
    if refuse_in_flight and BoxPushLog.objects.filter(deliverable=deliverable, outcome__in=IN_FLIGHT).exists():
        raise ConflictError("a Box push of this deliverable is already under way")
    revision = Revision.objects.filter(deliverable=deliverable).order_by("-round").first()
    row = BoxPushLog(
        push_id=uuid.uuid4(),
        deliverable=deliverable,
        revision=revision,
        round=revision.round if revision else None,
        trigger=trigger,
        requested_by=requested_by,
    )
    reason = ""
    configuration = box_configuration()
    if not configuration.configured:
        reason = f"Box is not configured: {configuration.reason}"
    elif revision is None:
        reason = "the deliverable has no revision to send"
    else:
        row.file_name = (revision.original_name or revision.file.name.rsplit("/", 1)[-1])[:255]
        try:
            row.folder_name = delivery_folder_name(
                omg_job_number=deliverable.project.omg_job_number or "", slug=deliverable.slug, round=revision.round
            )
        except ValueError as error:
            reason = f"the Box folder cannot be named: {error}"
    if reason:
        row.outcome = BoxPushLog.Outcome.FAILED
        row.error = reason
        row.finished_at = timezone.now()
        row.save()
        logger.warning("box.push_refused", extra={"deliverable_id": deliverable.pk, "reason": reason})
        return row
    row.save()
    logger.info("box.push_queued", extra={"deliverable_id": deliverable.pk, "push_log_id": row.pk})
    transaction.on_commit(lambda: _enqueue_push(row.pk))
    return row


def _enqueue_push(push_log_id: int) -> None:
    from .tasks import box_push

    try:
        box_push.apply_async(args=[push_log_id])
    except Exception:
        # The row is already "queued": the sweep sends it again once the broker is back.
        logger.exception("box.push_enqueue_failed", extra={"push_log_id": push_log_id})


def box_push_on_approval(event: str, payload: dict) -> None:
    """`deliverable.approved` subscriber: queue a push of the approved deliverable."""
    deliverable = Deliverable.objects.filter(pk=payload.get("deliverableId")).first()
    if deliverable is None:
        return
    actor = User.objects.filter(pk=payload["actorId"]).first() if payload.get("actorId") else None
    box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED, requested_by=actor)


def box_push_send(*, deliverable: Deliverable, actor: User) -> BoxPushLog:
    """ "Send to client (Box)": a push requested by a producer or admin."""
    _require(actor, Permission.BOX_PUSH)
    return box_push_queue(
        deliverable=deliverable, trigger=BoxPushLog.Trigger.MANUAL, requested_by=actor, refuse_in_flight=True
    )


def box_push_retry(*, push_log: BoxPushLog, actor: User) -> BoxPushLog:
    """Start a new push of the deliverable after a failed one."""
    _require(actor, Permission.BOX_PUSH)
    if push_log.outcome != BoxPushLog.Outcome.FAILED:
        raise ConflictError("only a failed push can be retried")
    return box_push_queue(
        deliverable=push_log.deliverable, trigger=BoxPushLog.Trigger.RETRY, requested_by=actor, refuse_in_flight=True
    )


def _stale_running_after() -> timedelta:
    # A hard time limit kills an attempt long before this, so a row still "running" by then is orphaned.
    return timedelta(seconds=max(settings.BOX_PUSH_STUCK_AFTER_SECONDS, settings.CELERY_TASK_TIME_LIMIT * 2))


def _claim(push_log_id: int) -> BoxPushLog | None:
    now = timezone.now()
    claimable = Q(outcome=BoxPushLog.Outcome.QUEUED) | Q(
        outcome=BoxPushLog.Outcome.RUNNING, started_at__lt=now - _stale_running_after()
    )
    # One atomic UPDATE: of two messages for the same row (a re-sent one and a late original), only one runs.
    claimed = BoxPushLog.objects.filter(claimable, pk=push_log_id).update(
        outcome=BoxPushLog.Outcome.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    return BoxPushLog.objects.select_related("deliverable__project", "revision", "requested_by").get(pk=push_log_id)


def box_push_attempt(*, push_log_id: int) -> BoxPushLog | None:
    """Run one attempt of a push. Idempotent: a row that is not "queued" (already done) is left alone.

    Raises BoxRetryLater after recording a retryable failure and queueing the next attempt's row.
    """
    row = _claim(push_log_id)
    if row is None:
        logger.info("box.push_attempt_skipped", extra={"push_log_id": push_log_id})
        return None
    try:
        result = _push_to_box(row)
    except _Failure as failure:
        return _record_failure(row, failure)
    row.outcome = BoxPushLog.Outcome.SENT
    row.box_folder_id, row.box_file_id, row.box_file_version_id = (
        result["folder_id"],
        result["file_id"],
        result["version"],
    )
    row.folder_reused, row.new_version = result["folder_reused"], result["new_version"]
    row.error, row.http_status, row.finished_at = "", None, timezone.now()
    row.save()
    logger.info("box.push_sent", extra={"push_log_id": row.pk, "attempt": row.attempt, "folder_id": row.box_folder_id})
    return row


def _record_failure(row: BoxPushLog, failure: _Failure) -> BoxPushLog:
    final = not failure.retryable or row.attempt >= settings.BOX_PUSH_MAX_ATTEMPTS
    with transaction.atomic():
        row.outcome = BoxPushLog.Outcome.FAILED if final else BoxPushLog.Outcome.RETRY
        row.error, row.http_status, row.finished_at = failure.reason[:2000], failure.http_status, timezone.now()
        row.save()
        if final:
            _notify_push_failed(row)
        else:
            following = BoxPushLog.objects.create(
                push_id=row.push_id,
                deliverable=row.deliverable,
                revision=row.revision,
                round=row.round,
                folder_name=row.folder_name,
                file_name=row.file_name,
                attempt=row.attempt + 1,
                trigger=row.trigger,
                requested_by=row.requested_by,
            )
    extra = {"push_log_id": row.pk, "attempt": row.attempt, "reason": failure.reason, "final": final}
    logger.warning("box.push_failed", extra=extra)
    if final:
        return row
    raise BoxRetryLater(failure.reason, countdown=box_retry_backoff(attempt=row.attempt), next_log_id=following.pk)


def _notify_push_failed(row: BoxPushLog) -> None:
    deliverable = row.deliverable
    recipients = [row.requested_by, deliverable.project.owner]
    if not any(user is not None and user.is_active for user in recipients):
        recipients = list(_admins())
    _notify(
        recipients,
        kind=Notification.Kind.BOX_PUSH_FAILED,
        title=f"Box push failed: {deliverable.name}",
        body=row.error,
        url=deliverable_page_url(deliverable),
    )


def _conflict_id(error: BoxAPIError, item_type: str) -> str | None:
    """The id of the existing item behind a 409 item_name_in_use, when it is of `item_type`."""
    info = error.response_info
    if info.status_code != 409 or info.code != "item_name_in_use":
        return None
    conflicts = (info.context_info or {}).get("conflicts") or []
    for item in [conflicts] if isinstance(conflicts, dict) else conflicts:
        if isinstance(item, dict) and item.get("type") == item_type and item.get("id"):
            return str(item["id"])
    return None


def _api_failure(error: BoxAPIError) -> _Failure:
    info = error.response_info
    body = info.body if isinstance(info.body, dict) else {}
    code = info.code or body.get("error") or ""
    message = body.get("message") or body.get("error_description") or ""
    reason = f"Box answered {info.status_code}" + (f" {code}" if code else "") + (f": {message}" if message else "")
    return _Failure(reason, retryable=info.status_code == 429 or info.status_code >= 500, http_status=info.status_code)


def _push_to_box(row: BoxPushLog) -> dict:
    try:
        client = box_client()
    except BoxNotConfiguredError as error:
        raise _Failure(str(error), retryable=False) from error
    revision = row.revision
    if revision is None or not revision.file:
        raise _Failure("the revision to send no longer exists", retryable=False)
    try:
        folder_id, folder_reused = _folder(client, row.folder_name)
        file_id, version, new_version = _upload(client, folder_id, row.file_name, revision)
    except BoxAPIError as error:
        raise _api_failure(error) from error
    except BoxSDKError as error:
        if isinstance(error.error, requests.RequestException):
            raise _Failure(f"network error talking to Box: {error.error.__class__.__name__}", retryable=True) from error
        raise _Failure(f"Box client error: {error.message[:300]}", retryable=False) from error
    except (ValueError, TypeError) as error:
        # The SDK signs the JWT assertion with the configured private key; a bad key or passphrase lands here.
        logger.exception("box.push_client_error", extra={"push_log_id": row.pk})
        raise _Failure(f"Box client error: {error.__class__.__name__}", retryable=False) from error
    except OSError as error:
        raise _Failure(f"the revision's file cannot be read ({error.__class__.__name__})", retryable=False) from error
    return {
        "folder_id": folder_id,
        "folder_reused": folder_reused,
        "file_id": file_id,
        "version": version,
        "new_version": new_version,
    }


def _folder(client, name: str) -> tuple[str, bool]:
    try:
        return client.folders.create_folder(name, CreateFolderParent(id=settings.BOX_ROOT_FOLDER_ID)).id, False
    except BoxAPIError as error:
        existing = _conflict_id(error, "folder")
        if existing is None:
            raise
        return existing, True


def _upload(client, folder_id: str, name: str, revision: Revision) -> tuple[str, str, bool]:
    content_type = revision.content_type or None
    with revision.file.open("rb") as stream:
        try:
            files = client.uploads.upload_file(
                UploadFileAttributes(name=name, parent=UploadFileAttributesParentField(id=folder_id)),
                stream,
                file_file_name=name,
                file_content_type=content_type,
            )
            new_version = False
        except BoxAPIError as error:
            existing = _conflict_id(error, "file")
            if existing is None:
                raise
            stream.seek(0)
            files = client.uploads.upload_file_version(
                existing,
                UploadFileVersionAttributes(name=name),
                stream,
                file_file_name=name,
                file_content_type=content_type,
            )
            new_version = True
    entry = files.entries[0]
    version = getattr(entry, "file_version", None)
    return str(entry.id), str(version.id) if version is not None else "", new_version


def box_push_sweep(*, now: datetime | None = None) -> int:
    """Re-send pushes (and inbound downloads) whose message was lost: rows still "queued" after
    BOX_PUSH_STUCK_AFTER_SECONDS, and attempts "running" long past any task time limit. Returns the count."""
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.BOX_PUSH_STUCK_AFTER_SECONDS)
    with transaction.atomic():
        pushes = list(
            BoxPushLog.objects.select_for_update(skip_locked=True)
            .filter(
                Q(outcome=BoxPushLog.Outcome.QUEUED, updated_at__lt=stuck_before)
                | Q(outcome=BoxPushLog.Outcome.RUNNING, started_at__lt=now - _stale_running_after())
            )
            .order_by("id")
            .values_list("id", flat=True)[:500]
        )
        BoxPushLog.objects.filter(pk__in=pushes).update(requeued_count=F("requeued_count") + 1, updated_at=now)
        inbound = list(
            BoxInboundLog.objects.select_for_update(skip_locked=True)
            .filter(outcome=BoxInboundLog.Outcome.QUEUED, updated_at__lt=stuck_before)
            .order_by("id")
            .values_list("id", flat=True)[:500]
        )
        BoxInboundLog.objects.filter(pk__in=inbound).update(updated_at=now)
        transaction.on_commit(lambda: [_enqueue_push(pk) for pk in pushes] and None)
        transaction.on_commit(lambda: [_enqueue_inbound(pk) for pk in inbound] and None)
    if pushes or inbound:
        logger.warning("box.sweep_requeued", extra={"push_log_ids": pushes, "inbound_log_ids": inbound})
    return len(pushes) + len(inbound)


# --- inbound --------------------------------------------------------------------------------------------------


def _signature(key: str, body: bytes, timestamp: str) -> bytes:
    digest = hmac.new(key.encode("utf-8"), body + timestamp.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


def box_webhook_verify(*, body: bytes, headers, now: datetime | None = None) -> str:
    """Check a Box webhook delivery's signature and age. Returns which key matched ("primary"/"secondary").

    Box signs `body bytes + BOX-DELIVERY-TIMESTAMP` with HMAC-SHA256 under the primary and the secondary key.
    Either signature under either configured key passes, so keys can be rotated one at a time. Raises
    BoxWebhookRejected with the reason.
    """
    keys = [
        (n, k)
        for n, k in (("primary", settings.BOX_WEBHOOK_PRIMARY_KEY), ("secondary", settings.BOX_WEBHOOK_SECONDARY_KEY))
        if k
    ]
    if not keys:
        raise BoxWebhookRejected("Box webhook signature keys are not configured")
    if headers.get("BOX-SIGNATURE-VERSION") != "1":
        raise BoxWebhookRejected("unsupported BOX-SIGNATURE-VERSION: expected 1")
    if headers.get("BOX-SIGNATURE-ALGORITHM") != "HmacSHA256":
        raise BoxWebhookRejected("unsupported BOX-SIGNATURE-ALGORITHM: expected HmacSHA256")
    timestamp = headers.get("BOX-DELIVERY-TIMESTAMP") or ""
    if not timestamp:
        raise BoxWebhookRejected("missing BOX-DELIVERY-TIMESTAMP")
    signatures = [
        s.encode("ascii", "replace")
        for s in (headers.get("BOX-SIGNATURE-PRIMARY"), headers.get("BOX-SIGNATURE-SECONDARY"))
        if s
    ]
    if not signatures:
        raise BoxWebhookRejected("missing BOX-SIGNATURE-PRIMARY / BOX-SIGNATURE-SECONDARY")
    matched = next(
        (
            name
            for name, key in keys
            for sig in signatures
            if hmac.compare_digest(_signature(key, body, timestamp), sig)
        ),
        None,
    )
    if matched is None:
        raise BoxWebhookRejected("signature does not match")
    try:
        sent_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError as error:
        raise BoxWebhookRejected("BOX-DELIVERY-TIMESTAMP is not an RFC 3339 time") from error
    if sent_at.tzinfo is None:
        raise BoxWebhookRejected("BOX-DELIVERY-TIMESTAMP has no time zone")
    age = ((now or timezone.now()) - sent_at).total_seconds()
    if age > settings.BOX_WEBHOOK_MAX_AGE_SECONDS:
        raise BoxWebhookRejected(f"the delivery is older than {settings.BOX_WEBHOOK_MAX_AGE_SECONDS // 60} minutes")
    if age < -settings.BOX_WEBHOOK_CLOCK_SKEW_SECONDS:
        raise BoxWebhookRejected("the delivery timestamp is in the future")
    return matched


def _pushed_by_us(file_version_id: str) -> bool:
    return bool(file_version_id) and BoxPushLog.objects.filter(box_file_version_id=file_version_id).exists()


def box_inbound_receive(*, body: bytes, headers, remote_addr: str | None = None) -> BoxInboundLog:
    """Log and (when it is a trusted, new file event) queue one webhook delivery.

    Raises BoxWebhookRejected (401) for a bad signature, a stale or future timestamp or an unknown signature
    version, and ApplicationError (400) for a body that is not an event; both after writing the log row.
    A redelivered event id is logged as DUPLICATE and does nothing else.
    """
    base = {"delivery_id": (headers.get("BOX-DELIVERY-ID") or "")[:100], "remote_addr": remote_addr or None}
    try:
        key_name = box_webhook_verify(body=body, headers=headers)
    except BoxWebhookRejected as rejection:
        BoxInboundLog.objects.create(**base, outcome=BoxInboundLog.Outcome.REJECTED, error=rejection.message)
        logger.warning("box.webhook_rejected", extra={**base, "reason": rejection.message})
        raise
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        event = None
    event_id = str(event.get("id") or "")[:100] if isinstance(event, dict) else ""
    trigger = str(event.get("trigger") or "")[:64] if isinstance(event, dict) else ""
    if not event_id or not trigger:
        reason = "the body is not a Box webhook event (it needs an id and a trigger)"
        BoxInboundLog.objects.create(
            **base, signature_key=key_name, outcome=BoxInboundLog.Outcome.INVALID, error=reason
        )
        raise ApplicationError("invalid payload", {"issues": [{"path": [], "message": reason}]})
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    parent = source.get("parent") if isinstance(source.get("parent"), dict) else {}
    version = source.get("file_version") if isinstance(source.get("file_version"), dict) else {}
    fields = {
        **base,
        "signature_key": key_name,
        "event_id": event_id,
        "trigger": trigger,
        "webhook_id": str((event.get("webhook") or {}).get("id") or "")[:64]
        if isinstance(event.get("webhook"), dict)
        else "",
        "box_file_id": str(source.get("id") or "")[:64],
        "box_file_version_id": str(version.get("id") or "")[:64],
        "file_name": str(source.get("name") or "")[:255],
        "file_size": source.get("size") if isinstance(source.get("size"), int) and source.get("size") >= 0 else None,
        "box_folder_id": str(parent.get("id") or "")[:64],
        "folder_name": str(parent.get("name") or "")[:255],
    }
    outcome, detail = BoxInboundLog.Outcome.QUEUED, ""
    if trigger not in HANDLED_TRIGGERS:
        outcome, detail = BoxInboundLog.Outcome.IGNORED, f"{trigger} is not a file arrival"
    elif source.get("type") != "file" or not fields["box_file_id"]:
        outcome, detail = BoxInboundLog.Outcome.IGNORED, "the event's source is not a file"
    elif trigger != "FILE.UPLOADED" and not parse_delivery_folder_name(fields["folder_name"]):
        outcome, detail = BoxInboundLog.Outcome.IGNORED, "not copied or moved into a delivery folder"
    elif _pushed_by_us(fields["box_file_version_id"]):
        outcome, detail = BoxInboundLog.Outcome.IGNORED, "a file this tracker pushed"
    try:
        with transaction.atomic():
            log = BoxInboundLog.objects.create(**fields, outcome=outcome, detail=detail)
            if outcome == BoxInboundLog.Outcome.QUEUED:
                transaction.on_commit(lambda: _enqueue_inbound(log.pk))
    except IntegrityError:
        log = BoxInboundLog.objects.create(
            **fields, outcome=BoxInboundLog.Outcome.DUPLICATE, detail="this event id was already received"
        )
    logger.info("box.webhook_received", extra={"event_id": event_id, "trigger": trigger, "outcome": log.outcome})
    return log


def _enqueue_inbound(inbound_log_id: int) -> None:
    from .tasks import box_inbound_process as task

    try:
        task.apply_async(args=[inbound_log_id])
    except Exception:
        logger.exception("box.inbound_enqueue_failed", extra={"inbound_log_id": inbound_log_id})


def box_folder_match(folder_name: str) -> tuple[Project | None, Deliverable | None]:
    """The project (by OMG number, case-insensitive) and deliverable (by slug) a delivery folder names."""
    first_project = None
    for reading in parse_delivery_folder_name(folder_name):
        project = Project.objects.filter(omg_job_number__iexact=reading.omg_job_number).select_related("owner").first()
        if project is None:
            continue
        first_project = first_project or project
        deliverable = (
            Deliverable.objects.filter(project=project, slug=reading.slug).select_related("assignee", "project").first()
        )
        if deliverable is not None:
            return project, deliverable
    return first_project, None


def _finish(log: BoxInboundLog, outcome: str, **fields) -> BoxInboundLog:
    for name, value in {"outcome": outcome, "processed_at": timezone.now(), **fields}.items():
        setattr(log, name, value)
    log.save()
    return log


def box_inbound_process(*, inbound_log_id: int) -> BoxInboundLog:
    """Turn a queued file event into a new revision (source box) of the deliverable its folder names, and
    tell the assignee (or the project owner); an unmatched folder tells the owner, or the admins.

    Idempotent: a row that is no longer "queued" is returned untouched, and the revision is written under a
    lock on the row, so a redelivered task never makes a second revision. Raises BoxRetryLater on a
    retryable download failure while attempts remain.
    """
    with transaction.atomic():
        log = BoxInboundLog.objects.select_for_update().get(pk=inbound_log_id)
        if log.outcome != BoxInboundLog.Outcome.QUEUED:
            return log
        log.attempts += 1
        log.save(update_fields=["attempts", "updated_at"])
    project, deliverable = box_folder_match(log.folder_name)
    if deliverable is None:
        return _unmatched(log, project)
    try:
        download = _download(log)
    except _Failure as failure:
        if failure.retryable and log.attempts < settings.BOX_PUSH_MAX_ATTEMPTS:
            BoxInboundLog.objects.filter(pk=log.pk).update(error=failure.reason[:2000], updated_at=timezone.now())
            raise BoxRetryLater(failure.reason, countdown=box_retry_backoff(attempt=log.attempts)) from failure
        return _finish(
            log, BoxInboundLog.Outcome.FAILED, error=failure.reason, project=project, deliverable=deliverable
        )
    with download:
        return _store_revision(log.pk, deliverable, download)


def _download(log: BoxInboundLog):
    limit = settings.REVISION_MAX_UPLOAD_BYTES
    if log.file_size is not None and log.file_size > limit:
        raise _Failure(f"the file is {log.file_size:,} bytes; the limit is {limit:,} bytes", retryable=False)
    try:
        stream = box_client().downloads.download_file(log.box_file_id, version=log.box_file_version_id or None)
        if stream is None:
            raise _Failure("Box has not made the file available for download yet", retryable=True)
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
        size = 0
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                spool.close()
                raise _Failure(f"the file is larger than the limit of {limit:,} bytes", retryable=False)
            spool.write(chunk)
    except BoxNotConfiguredError as error:
        raise _Failure(str(error), retryable=False) from error
    except BoxAPIError as error:
        raise _api_failure(error) from error
    except BoxSDKError as error:
        if isinstance(error.error, requests.RequestException):
            raise _Failure(f"network error talking to Box: {error.error.__class__.__name__}", retryable=True) from error
        raise _Failure(f"Box client error: {error.message[:300]}", retryable=False) from error
    except requests.RequestException as error:  # the body is streamed after the SDK returns
        raise _Failure(f"network error talking to Box: {error.__class__.__name__}", retryable=True) from error
    spool.seek(0)
    return spool


def _store_revision(inbound_log_id: int, deliverable: Deliverable, spool) -> BoxInboundLog:
    from reviews.services import revision_upload

    with transaction.atomic():
        log = BoxInboundLog.objects.select_for_update().get(pk=inbound_log_id)
        if log.outcome != BoxInboundLog.Outcome.QUEUED:
            return log
        name = log.file_name or f"box-{log.box_file_id}"
        try:
            with transaction.atomic():
                revision = revision_upload(
                    deliverable=deliverable,
                    file=File(spool, name=name),
                    actor=None,
                    name=name,
                    source=Revision.Source.BOX,
                    note=f"From Box: {log.folder_name}/{name}",
                )
        except ApplicationError as error:
            _finish(
                log,
                BoxInboundLog.Outcome.FAILED,
                error=error.message,
                project=deliverable.project,
                deliverable=deliverable,
            )
            recipients = [deliverable.assignee, deliverable.project.owner]
            _notify(
                recipients if any(recipients) else _admins(),
                kind=Notification.Kind.BOX_UNMATCHED_FILE,
                title=f"File from Box not imported: {name}",
                body=f"{log.folder_name}/{name} could not become a revision of {deliverable.name}: {error.message}",
                url=deliverable_page_url(deliverable),
            )
            return log
        _finish(
            log,
            BoxInboundLog.Outcome.MATCHED,
            error="",
            project=deliverable.project,
            deliverable=deliverable,
            revision=revision,
        )
        recipients = [deliverable.assignee] if deliverable.assignee else [deliverable.project.owner]
        _notify(
            recipients if any(recipients) else _admins(),
            kind=Notification.Kind.NEW_FILE_AWAITING_REVIEWER,
            title=f"New file from Box: {deliverable.name} round {revision.round}",
            body=f"{name} arrived in {log.folder_name} and is waiting for review.",
            url=deliverable_page_url(deliverable),
        )
    logger.info("box.inbound_revision_created", extra={"inbound_log_id": inbound_log_id, "revision_id": revision.pk})
    return log


def _unmatched(log: BoxInboundLog, project: Project | None) -> BoxInboundLog:
    if project is not None:
        reason = f"no deliverable of project {project.omg_job_number} matches folder {log.folder_name!r}"
    elif parse_delivery_folder_name(log.folder_name):
        reason = f"no project has the OMG number in folder {log.folder_name!r}"
    else:
        reason = f"folder {log.folder_name!r} is not named {{omgJobNumber}}_{{slug}}_v{{round}}"
    with transaction.atomic():
        _finish(log, BoxInboundLog.Outcome.UNMATCHED, detail=reason, project=project)
        owner = project.owner if project is not None else None
        _notify(
            [owner] if owner is not None and owner.is_active else _admins(),
            kind=Notification.Kind.BOX_UNMATCHED_FILE,
            title=f"Unmatched file in Box: {log.file_name or log.box_file_id}",
            body=reason,
            url=reverse("box:settings"),
        )
    logger.info("box.inbound_unmatched", extra={"inbound_log_id": log.pk, "reason": reason})
    return log


def box_inbound_retry(*, inbound_log: BoxInboundLog, actor: User) -> BoxInboundLog:
    """Queue a failed inbound event again (after fixing what made it fail)."""
    _require(actor, Permission.ADMIN_SETTINGS)
    with transaction.atomic():
        log = BoxInboundLog.objects.select_for_update().get(pk=inbound_log.pk)
        if log.outcome != BoxInboundLog.Outcome.FAILED:
            raise ConflictError("only a failed inbound event can be retried")
        log.outcome, log.attempts, log.processed_at = BoxInboundLog.Outcome.QUEUED, 0, None
        log.save(update_fields=["outcome", "attempts", "processed_at", "updated_at"])
        transaction.on_commit(lambda: _enqueue_inbound(log.pk))
    return log
