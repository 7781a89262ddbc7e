"""Inbound: verify, log and dedupe Box webhook deliveries; turn file events into revisions."""

import base64
import hashlib
import hmac
import json
import logging
import tempfile
from datetime import datetime

import requests
from box_sdk_gen import BoxAPIError, BoxSDKError
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from deliverables.models import Deliverable, Revision
from projects.models import Project
from tracker.errors import ApplicationError, ConflictError
from tracker.models import Notification, User
from tracker.permissions import Permission, require_permission

from .. import queue
from ..client import BoxNotConfiguredError, box_client
from ..models import BoxInboundLog, BoxPushLog
from ..naming import parse_delivery_folder_name
from .common import (
    BoxRetryLater,
    BoxWebhookRejected,
    Failure,
    admins,
    api_failure,
    box_retry_backoff,
    deliverable_page_url,
    notify,
    sdk_failure,
)

logger = logging.getLogger(__name__)

HANDLED_TRIGGERS = ("FILE.UPLOADED", "FILE.COPIED", "FILE.MOVED")


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


def _text(value, limit: int) -> str:
    """A payload value as text a database column takes: no NUL, no lone surrogate, at most `limit` long."""
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def _size(value) -> int | None:
    return value if type(value) is int and 0 <= value < 2**63 else None


def _pushed_by_us(file_version_id: str) -> bool:
    return bool(file_version_id) and BoxPushLog.objects.filter(box_file_version_id=file_version_id).exists()


def box_inbound_receive(*, body: bytes, headers, remote_addr: str | None = None) -> BoxInboundLog:
    """Log and (when it is a trusted, new file event) queue one webhook delivery.

    Raises BoxWebhookRejected (401) for a bad signature, a stale or future timestamp or an unknown signature
    version, and ApplicationError (400) for a body that is not an event; both after writing the log row.
    A redelivered event id is logged as DUPLICATE and does nothing else.
    """
    base = {"delivery_id": _text(headers.get("BOX-DELIVERY-ID"), 100), "remote_addr": remote_addr or None}
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
    event_id = _text(event.get("id"), 100) if isinstance(event, dict) else ""
    trigger = _text(event.get("trigger"), 64) if isinstance(event, dict) else ""
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
        "webhook_id": _text(event["webhook"].get("id"), 64) if isinstance(event.get("webhook"), dict) else "",
        "box_file_id": _text(source.get("id"), 64),
        "box_file_version_id": _text(version.get("id"), 64),
        "file_name": _text(source.get("name"), 255),
        "file_size": _size(source.get("size")),
        "box_folder_id": _text(parent.get("id"), 64),
        "folder_name": _text(parent.get("name"), 255),
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
                transaction.on_commit(lambda: queue.send_inbound(log.pk))
    except IntegrityError:
        log = BoxInboundLog.objects.create(
            **fields, outcome=BoxInboundLog.Outcome.DUPLICATE, detail="this event id was already received"
        )
    logger.info("box.webhook_received", extra={"event_id": event_id, "trigger": trigger, "outcome": log.outcome})
    return log


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
    except Failure as failure:
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
        raise Failure(f"the file is {log.file_size:,} bytes; the limit is {limit:,} bytes", retryable=False)
    try:
        stream = box_client().downloads.download_file(log.box_file_id, version=log.box_file_version_id or None)
        if stream is None:
            raise Failure("Box has not made the file available for download yet", retryable=True)
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
        size = 0
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                spool.close()
                raise Failure(f"the file is larger than the limit of {limit:,} bytes", retryable=False)
            spool.write(chunk)
    except BoxNotConfiguredError as error:
        raise Failure(str(error), retryable=False) from error
    except BoxAPIError as error:
        raise api_failure(error) from error
    except BoxSDKError as error:
        raise sdk_failure(error) from error
    except requests.RequestException as error:  # the body is streamed after the SDK returns
        raise Failure(f"network error talking to Box: {error.__class__.__name__}", retryable=True) from error
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
            notify(
                recipients if any(recipients) else admins(deliverable.project.organisation),
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
        notify(
            recipients if any(recipients) else admins(deliverable.project.organisation),
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
        to_owner = owner is not None and owner.is_active
        notify(
            [owner] if to_owner else admins(project.organisation if project is not None else None),
            kind=Notification.Kind.BOX_UNMATCHED_FILE,
            title=f"Unmatched file in Box: {log.file_name or log.box_file_id}",
            body=f"{reason}. Rename the folder in Box to {{omgJobNumber}}_{{slug}}_v{{round}}, or move the file.",
            # Owners are producers, who cannot open the Box settings page; admins see the event there.
            url=reverse("projects:detail", args=[project.pk]) if to_owner else reverse("box:settings"),
        )
    logger.info("box.inbound_unmatched", extra={"inbound_log_id": log.pk, "reason": reason})
    return log


def box_inbound_retry(*, inbound_log: BoxInboundLog, actor: User) -> BoxInboundLog:
    """Queue a failed inbound event again (after fixing what made it fail)."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    with transaction.atomic():
        log = BoxInboundLog.objects.select_for_update().get(pk=inbound_log.pk)
        if log.outcome != BoxInboundLog.Outcome.FAILED:
            raise ConflictError("only a failed inbound event can be retried")
        log.outcome, log.attempts, log.processed_at = BoxInboundLog.Outcome.QUEUED, 0, None
        log.save(update_fields=["outcome", "attempts", "processed_at", "updated_at"])
        transaction.on_commit(lambda: queue.send_inbound(log.pk))
    return log
