"""Outbound: queue, attempt, retry and sweep pushes of approved deliverables to Box (see the package docstring)."""

import logging
import uuid
from datetime import datetime, timedelta

from box_sdk_gen import BoxAPIError, BoxSDKError
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from deliverables.models import Deliverable, Revision
from tracker import metrics
from tracker.errors import ConflictError
from tracker.events import emit
from tracker.models import Notification, User
from tracker.permissions import Permission, require_permission

from .. import queue
from ..client import BoxNotConfiguredError, box_client, box_configuration
from ..models import BoxInboundLog, BoxPushLog
from ..naming import delivery_folder_name
from .common import (
    BoxRetryLater,
    Failure,
    admins,
    api_failure,
    box_retry_backoff,
    deliverable_page_url,
    notify,
    sdk_failure,
)
from .upload import PushResult, push_revision

logger = logging.getLogger(__name__)

IN_FLIGHT = (BoxPushLog.Outcome.QUEUED, BoxPushLog.Outcome.RUNNING)


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
        if configuration.configured:  # with Box off there is no push to fail, only a note in the log
            _emit_failed(row)
        logger.warning("box.push_refused", extra={"deliverable_id": deliverable.pk, "reason": reason})
        return row
    row.save()
    logger.info("box.push_queued", extra={"deliverable_id": deliverable.pk, "push_log_id": row.pk})
    transaction.on_commit(lambda: queue.send_push(row.pk))
    return row


def box_push_on_approval(event: str, payload: dict) -> None:
    """`deliverable.approved` subscriber: queue a push of the approved deliverable."""
    deliverable = Deliverable.objects.filter(pk=payload.get("deliverableId")).first()
    if deliverable is None:
        return
    actor = User.objects.filter(pk=payload["actorId"]).first() if payload.get("actorId") else None
    box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED, requested_by=actor)


def box_push_send(*, deliverable: Deliverable, actor: User, override: bool = False) -> BoxPushLog:
    """ "Send to client (Box)": a push requested by a producer or admin, of an APPROVED deliverable's latest
    revision. An admin may send a deliverable that is not approved yet with `override` (the page asks them to
    confirm it), and the push row records it as an override."""
    require_permission(actor, Permission.BOX_PUSH)
    deliverable = Deliverable.objects.get(pk=deliverable.pk)
    if not Revision.objects.filter(deliverable=deliverable).exists():
        raise ConflictError("the deliverable has no revision to send")
    trigger = BoxPushLog.Trigger.MANUAL
    if deliverable.status != Deliverable.Status.APPROVED:
        if not override:
            raise ConflictError(
                f"only approved work is sent to the client, and this deliverable is "
                f"{deliverable.get_status_display().lower()}: an admin can send it anyway"
            )
        require_permission(actor, Permission.ADMIN_SETTINGS)
        trigger = BoxPushLog.Trigger.OVERRIDE
        logger.warning("box.push_override", extra={"deliverable_id": deliverable.pk, "actor_id": actor.pk})
    return box_push_queue(deliverable=deliverable, trigger=trigger, requested_by=actor, refuse_in_flight=True)


def box_push_retry(*, push_log: BoxPushLog, actor: User) -> BoxPushLog:
    """Start a new push of the deliverable after a failed one."""
    require_permission(actor, Permission.BOX_PUSH)
    if push_log.outcome != BoxPushLog.Outcome.FAILED:
        raise ConflictError("only a failed push can be retried")
    return box_push_queue(
        deliverable=push_log.deliverable, trigger=BoxPushLog.Trigger.RETRY, requested_by=actor, refuse_in_flight=True
    )


def _lease_length() -> timedelta:
    """How long an attempt's lease lasts between renewals. Renewals come between Box calls and as the upload
    streams, so the lease must outlast the longest single Box call (BOX_REQUEST_TIMEOUT_SECONDS) with room."""
    return timedelta(seconds=max(settings.BOX_PUSH_LEASE_SECONDS, 2 * settings.BOX_REQUEST_TIMEOUT_SECONDS))


class LeaseLost(Exception):
    """Another attempt took this row over (ours ran out): stop, and leave the row to its new holder."""


class _Lease:
    """The running attempt's hold on its row: `renew()` pushes `lease_expires_at` on (at most every quarter of the
    lease, so a streaming upload costs a few UPDATEs) and raises LeaseLost when the row is no longer ours."""

    def __init__(self, row: BoxPushLog):
        self.row = row
        self.renewed_at = timezone.now()

    def renew(self, *, force: bool = False) -> None:
        now = timezone.now()
        length = _lease_length()
        if not force and now - self.renewed_at < length / 4:
            return
        held = BoxPushLog.objects.filter(
            pk=self.row.pk, outcome=BoxPushLog.Outcome.RUNNING, lease_token=self.row.lease_token
        ).update(lease_expires_at=now + length, updated_at=now)
        if not held:
            raise LeaseLost(f"push log {self.row.pk} was taken over by another attempt")
        self.renewed_at = now


def _running_and_lost(now: datetime) -> Q:
    """RUNNING rows whose worker is gone: the lease ran out (or, for a row claimed before leases, long ago)."""
    legacy = timedelta(seconds=max(settings.BOX_PUSH_STUCK_AFTER_SECONDS, settings.CELERY_TASK_TIME_LIMIT * 2))
    return Q(outcome=BoxPushLog.Outcome.RUNNING) & (
        Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, started_at__lt=now - legacy)
    )


def _claim(push_log_id: int) -> BoxPushLog | None:
    now = timezone.now()
    token = uuid.uuid4()
    claimable = Q(outcome=BoxPushLog.Outcome.QUEUED) | _running_and_lost(now)
    # One atomic UPDATE: of two messages for the same row (a re-sent one and a late original), only one runs.
    claimed = BoxPushLog.objects.filter(claimable, pk=push_log_id).update(
        outcome=BoxPushLog.Outcome.RUNNING,
        started_at=now,
        updated_at=now,
        lease_token=token,
        lease_expires_at=now + _lease_length(),
    )
    if not claimed:
        return None
    return BoxPushLog.objects.select_related("deliverable__project", "revision", "requested_by").get(pk=push_log_id)


def box_push_attempt(*, push_log_id: int) -> BoxPushLog | None:
    """Run one attempt of a push. Idempotent: a row that is not "queued" (already done, or running under a live
    lease) is left alone, and an attempt whose lease was taken over stops without writing.

    Raises BoxRetryLater after recording a retryable failure and queueing the next attempt's row.
    """
    row = _claim(push_log_id)
    if row is None:
        logger.info("box.push_attempt_skipped", extra={"push_log_id": push_log_id})
        return None
    lease = _Lease(row)
    try:
        result = _push_to_box(row, lease)
    except LeaseLost:
        logger.warning("box.push_lease_lost", extra={"push_log_id": row.pk})
        return None
    except Failure as failure:
        return _record_failure(row, failure)
    except Exception as error:
        # A bug, or the soft time limit: recorded like any other failure, so the row never sits in RUNNING.
        logger.exception("box.push_attempt_error", extra={"push_log_id": row.pk})
        return _record_failure(row, Failure(f"unexpected error: {error.__class__.__name__}", retryable=True))
    finished = BoxPushLog.objects.filter(
        pk=row.pk, outcome=BoxPushLog.Outcome.RUNNING, lease_token=row.lease_token
    ).update(
        outcome=BoxPushLog.Outcome.SENT,
        box_folder_id=result.folder_id,
        box_file_id=result.file_id,
        box_file_version_id=result.version,
        folder_reused=result.folder_reused,
        new_version=result.new_version,
        file_reused=result.file_reused,
        error="",
        http_status=None,
        finished_at=timezone.now(),
        lease_expires_at=None,
        updated_at=timezone.now(),
    )
    if not finished:
        logger.warning("box.push_lease_lost", extra={"push_log_id": row.pk})
        return None
    metrics.box_push_finished(outcome=BoxPushLog.Outcome.SENT)
    row.refresh_from_db()
    logger.info(
        "box.push_sent",
        extra={
            "push_log_id": row.pk,
            "attempt": row.attempt,
            "folder_id": row.box_folder_id,
            "reused": row.file_reused,
        },
    )
    return row


def _record_failure(row: BoxPushLog, failure: Failure) -> BoxPushLog | None:
    final = not failure.retryable or row.attempt >= settings.BOX_PUSH_MAX_ATTEMPTS
    countdown = 0.0 if final else box_retry_backoff(attempt=row.attempt)
    with transaction.atomic():
        # Only the lease holder records: a row another attempt took over is that attempt's to finish.
        locked = BoxPushLog.objects.select_for_update().filter(pk=row.pk, lease_token=row.lease_token).first()
        if locked is None or locked.outcome != BoxPushLog.Outcome.RUNNING:
            logger.warning("box.push_lease_lost", extra={"push_log_id": row.pk})
            return None
        row.outcome = BoxPushLog.Outcome.FAILED if final else BoxPushLog.Outcome.RETRY
        row.error, row.http_status, row.finished_at = failure.reason[:2000], failure.http_status, timezone.now()
        row.lease_expires_at = None
        row.save()
        if final:
            _notify_push_failed(row)
            _emit_failed(row)
        else:
            following = BoxPushLog.objects.create(
                not_before=timezone.now() + timedelta(seconds=countdown),
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
    metrics.box_push_finished(outcome=row.outcome)
    extra = {"push_log_id": row.pk, "attempt": row.attempt, "reason": failure.reason, "final": final}
    logger.warning("box.push_failed", extra=extra)
    if final:
        return row
    raise BoxRetryLater(failure.reason, countdown=countdown, next_log_id=following.pk)


def _emit_failed(row: BoxPushLog) -> None:
    """`box.push_failed`: this push will not reach Box (other systems hear of it through outbound webhooks)."""
    payload = {"deliverableId": str(row.deliverable_id), "pushId": str(row.push_id), "attempts": row.attempt}
    payload |= {"round": row.round, "folderName": row.folder_name, "error": row.error}
    emit("box.push_failed", {**payload, "organisationId": str(row.deliverable.project.organisation_id)})


def _notify_push_failed(row: BoxPushLog) -> None:
    deliverable = row.deliverable
    recipients = [row.requested_by, deliverable.project.owner]
    if not any(user is not None and user.is_active for user in recipients):
        recipients = list(admins(deliverable.project.organisation))
    notify(
        recipients,
        kind=Notification.Kind.BOX_PUSH_FAILED,
        title=f"Box push failed: {deliverable.name}",
        body=row.error,
        url=deliverable_page_url(deliverable),
    )


def _push_to_box(row: BoxPushLog, lease: _Lease) -> PushResult:
    try:
        client = box_client()
    except BoxNotConfiguredError as error:
        raise Failure(str(error), retryable=False) from error
    revision = row.revision
    if revision is None or not revision.file:
        raise Failure("the revision to send no longer exists", retryable=False)
    try:
        return push_revision(
            client, folder_name=row.folder_name, file_name=row.file_name, revision=revision, renew=lease.renew
        )
    except BoxAPIError as error:
        raise api_failure(error) from error
    except BoxSDKError as error:
        raise sdk_failure(error) from error
    except (ValueError, TypeError) as error:
        # The SDK signs the JWT assertion with the configured private key; a bad key or passphrase lands here.
        logger.exception("box.push_client_error", extra={"push_log_id": row.pk})
        raise Failure(f"Box client error: {error.__class__.__name__}", retryable=False) from error
    except OSError as error:
        raise Failure(f"the revision's file cannot be read ({error.__class__.__name__})", retryable=False) from error


def box_push_sweep(*, now: datetime | None = None) -> int:
    """Re-send pushes (and inbound downloads) whose message was lost or whose worker died: rows "queued" more than
    BOX_PUSH_STUCK_AFTER_SECONDS after they were due, and "running" rows whose lease ran out. Runs every
    BOX_PUSH_SWEEP_SECONDS, so an interrupted push goes on within lease + sweep interval. Returns the count."""
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.BOX_PUSH_STUCK_AFTER_SECONDS)
    with transaction.atomic():
        pushes = list(
            BoxPushLog.objects.select_for_update(skip_locked=True)
            .filter(
                Q(outcome=BoxPushLog.Outcome.QUEUED, updated_at__lt=stuck_before)
                & (Q(not_before__isnull=True) | Q(not_before__lt=stuck_before))
                | _running_and_lost(now)
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
        transaction.on_commit(lambda: _send_all(pushes, inbound))
    if pushes or inbound:
        logger.warning("box.sweep_requeued", extra={"push_log_ids": pushes, "inbound_log_ids": inbound})
    return len(pushes) + len(inbound)


def _send_all(push_log_ids: list[int], inbound_log_ids: list[int]) -> None:
    for pk in push_log_ids:
        queue.send_push(pk)
    for pk in inbound_log_ids:
        queue.send_inbound(pk)
