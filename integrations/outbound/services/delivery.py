"""Sending: claim a due delivery, make one signed request outside any transaction, record the attempt, schedule
the next one or finish; the sweep for lost messages and stuck attempts; pruning the log.

Schedule (seed 004): attempt 1 at once, then after 30 s, 5 min and 30 min (±10% jitter), then "failed", left for
a manual resend. A 2xx is success. `Retry-After` on 429/503 is honoured within the schedule's bounds. 410 Gone
fails the delivery and disables the endpoint. Anything else — another status, a 3xx (redirects are not followed),
a timeout, a refused address — is a failed attempt. An endpoint that has only failed for
OUTBOUND_WEBHOOK_DISABLE_AFTER_DAYS is disabled and its organisation's admins are notified.

Order: a delivery is not claimed while an earlier delivery of the same endpoint and ordering key (the deliverable,
brief, project or session it is about) is pending or sending, so one deliverable's events arrive in the order they
happened, while other keys and other endpoints go on. At most OUTBOUND_WEBHOOK_MAX_IN_FLIGHT requests per endpoint
run at once, so a slow endpoint holds a few workers, not all of them. Whenever an attempt finishes, the endpoint's
next ready deliveries are queued.

Claims are one transaction under a lock on the endpoint row (always taken before the delivery's), so two messages
for one delivery (a sweep's and a late original) never send it twice. The locks are FOR NO KEY UPDATE: they never
wait on, or hold up, a domain transaction that is inserting a delivery for the endpoint (which takes KEY SHARE).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from integrations.webhooks.http import Answer, post
from tracker import metrics

from .. import clock, queue
from ..models import OutboundAttempt, OutboundDelivery, OutboundEndpoint
from ..signing import redact, request_headers
from .common import OPEN, disable_after, max_attempts, parse_retry_after, retry_delay
from .endpoints import DISABLED, endpoint_disable_locked

logger = logging.getLogger(__name__)

Status = OutboundDelivery.Status


def ready_deliveries(*, now, endpoint_id: int | None = None) -> QuerySet[OutboundDelivery]:
    """Pending deliveries that are due and first in their order (no earlier open delivery with their key)."""
    earlier = OutboundDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        ordering_key=OuterRef("ordering_key"),
        id__lt=OuterRef("id"),
        status__in=OPEN,
    )
    rows = OutboundDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    return rows.filter(Q(ordering_key="") | ~Exists(earlier)).order_by("id")


def _in_flight(endpoint_id: int) -> int:
    return OutboundDelivery.objects.filter(endpoint_id=endpoint_id, status=Status.SENDING).count()


def _claim(delivery_id: int, now) -> tuple[OutboundDelivery, OutboundEndpoint] | None:
    endpoint_id = OutboundDelivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
    if endpoint_id is None:
        return None
    with transaction.atomic():
        endpoint = OutboundEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint_id)
        delivery = OutboundDelivery.objects.select_for_update(no_key=True).get(pk=delivery_id)
        if delivery.status != Status.PENDING or delivery.next_attempt_at > now:
            return None
        if not endpoint.is_active and delivery.trigger != OutboundDelivery.Trigger.TEST:
            delivery.status, delivery.next_attempt_at = Status.FAILED, None
            delivery.last_error = DISABLED
            delivery.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
            return None
        if delivery.ordering_key and (
            OutboundDelivery.objects.filter(
                endpoint_id=endpoint_id, ordering_key=delivery.ordering_key, id__lt=delivery.pk, status__in=OPEN
            ).exists()
        ):
            return None  # an earlier event of the same thing goes first; its end queues this one
        if _in_flight(endpoint_id) >= settings.OUTBOUND_WEBHOOK_MAX_IN_FLIGHT:
            return None  # the endpoint is busy; the next attempt to finish queues this one
        delivery.status, delivery.sending_since = Status.SENDING, now
        delivery.attempts += 1
        delivery.round_attempts += 1
        delivery.save(update_fields=["status", "sending_since", "attempts", "round_attempts", "updated_at"])
    return delivery, endpoint


def outbound_delivery_attempt(*, delivery_id: int) -> OutboundDelivery | None:
    """Make the next attempt of a due delivery, if it is its turn. Idempotent: a delivery that is not pending and
    due, or waits behind an earlier one, is left alone (None). Talks to the endpoint outside any transaction."""
    now = clock.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        logger.info("outbound.attempt_skipped", extra={"delivery_id": delivery_id})
        return None
    delivery, endpoint = claimed
    headers = request_headers(
        secrets=endpoint.signing_secrets(now),
        message_id=delivery.message_id,
        event_name=delivery.event_name,
        body=delivery.body,
        now=now,
    )
    answer = post(
        endpoint.url,
        body=delivery.body.encode("utf-8"),
        headers=headers,
        timeout=settings.OUTBOUND_WEBHOOK_TIMEOUT_SECONDS,
    )
    return _record(delivery, endpoint.url, headers, answer, started_at=now)


def _outcome(answer: Answer) -> str:
    if answer.ok:
        return ""
    if answer.status_code is None:
        return answer.error or "no answer"
    if 300 <= answer.status_code < 400:
        location = answer.headers.get("Location") or answer.headers.get("location") or "?"
        return f"answered {answer.status_code} (redirects are not followed; Location: {location})"[:500]
    return f"answered {answer.status_code}"


def _record(claimed: OutboundDelivery, url: str, headers: dict, answer: Answer, *, started_at) -> OutboundDelivery:
    metrics.outbound_attempt_finished(succeeded=answer.ok, duration_ms=answer.duration_ms)
    retry_in = None
    with transaction.atomic():
        endpoint = OutboundEndpoint.objects.select_for_update(no_key=True).get(pk=claimed.endpoint_id)
        delivery = OutboundDelivery.objects.select_for_update(no_key=True).get(pk=claimed.pk)
        error = _outcome(answer)
        OutboundAttempt.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            number=claimed.attempts,
            started_at=started_at,
            duration_ms=answer.duration_ms,
            url=url,
            address=answer.address,
            request_headers=redact(headers),
            status_code=answer.status_code,
            response_headers=answer.headers,
            response_body=answer.body,
            error=(error or answer.error)[:500],
            succeeded=answer.ok,
        )
        if delivery.status != Status.SENDING or delivery.attempts != claimed.attempts:
            return delivery  # the sweep revived this attempt as lost and another one owns the delivery now
        now = clock.now()
        delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = started_at, answer.status_code, error
        delivery.sending_since = None
        if answer.ok:
            delivery.status, delivery.next_attempt_at = Status.SUCCEEDED, None
            endpoint.failing_since, endpoint.last_success_at = None, now
        else:
            gone = answer.status_code == 410
            final = (
                gone or delivery.trigger == OutboundDelivery.Trigger.TEST or delivery.round_attempts >= max_attempts()
            )
            if final:
                delivery.status, delivery.next_attempt_at = Status.FAILED, None
            else:
                retry_after = None
                if answer.status_code in (429, 503):
                    retry_after = parse_retry_after(answer.headers.get("Retry-After"), now=now)
                retry_in = retry_delay(attempt=delivery.round_attempts, retry_after=retry_after)
                delivery.status, delivery.next_attempt_at = Status.PENDING, now + timedelta(seconds=retry_in)
            endpoint.failing_since = endpoint.failing_since or started_at
            if endpoint.is_active and gone:
                endpoint_disable_locked(endpoint, reason="it answered 410 Gone", notify=True)
            elif endpoint.is_active and endpoint.failing_since <= now - disable_after():
                since = timezone.localtime(endpoint.failing_since).strftime("%d %b %Y %H:%M")
                endpoint_disable_locked(endpoint, reason=f"every attempt since {since} failed", notify=True)
            if not endpoint.is_active and delivery.status == Status.PENDING:
                delivery.status, delivery.next_attempt_at, retry_in = Status.FAILED, None, None
        delivery.save()
        endpoint.save(update_fields=["failing_since", "last_success_at", "updated_at"])
        endpoint_id = endpoint.pk
        transaction.on_commit(lambda: _after_attempt(delivery.pk, endpoint_id, retry_in))
    logger.info(
        "outbound.attempt",
        extra={"delivery_id": delivery.pk, "attempt": claimed.attempts, "status": answer.status_code, "error": error},
    )
    return delivery


def _after_attempt(delivery_id: int, endpoint_id: int, retry_in: float | None) -> None:
    if retry_in is not None:
        # A second late rather than early: a message that arrives before the due time does nothing (the sweep would
        # then send it, a grace period later), and workers' clocks differ a little.
        queue.send_delivery(delivery_id, countdown=retry_in + 1)
    queue_ready(endpoint_id)


def queue_ready(endpoint_id: int) -> None:
    """Queue the endpoint's next ready deliveries, as many as may run at once. Call it on commit."""
    ids = list(
        ready_deliveries(now=clock.now(), endpoint_id=endpoint_id).values_list("id", flat=True)[
            : settings.OUTBOUND_WEBHOOK_MAX_IN_FLIGHT
        ]
    )
    queue.send_deliveries(ids)


def outbound_sweep(*, limit: int = 500) -> int:
    """Re-send what a lost message left behind: deliveries due for longer than OUTBOUND_WEBHOOK_SWEEP_GRACE_SECONDS,
    and attempts "sending" past OUTBOUND_WEBHOOK_STUCK_AFTER_SECONDS (a worker died mid-request: the delivery goes
    out again with the same `webhook-id`, so a receiver that got it can tell). Returns how many were queued. Safe
    to run at any time, in several processes."""
    now = clock.now()
    stuck_before = now - timedelta(seconds=settings.OUTBOUND_WEBHOOK_STUCK_AFTER_SECONDS)
    with transaction.atomic():
        revived = OutboundDelivery.objects.filter(status=Status.SENDING, sending_since__lt=stuck_before).update(
            status=Status.PENDING,
            next_attempt_at=now - timedelta(seconds=settings.OUTBOUND_WEBHOOK_SWEEP_GRACE_SECONDS),
            sending_since=None,
            last_error="the attempt never finished (the worker was lost); sending again",
            updated_at=now,
        )
        due = now - timedelta(seconds=settings.OUTBOUND_WEBHOOK_SWEEP_GRACE_SECONDS)
        ids = list(ready_deliveries(now=due).values_list("id", flat=True)[:limit])
        transaction.on_commit(lambda: queue.send_deliveries(ids))
    if ids or revived:
        logger.warning("outbound.sweep_requeued", extra={"delivery_ids": ids, "revived": revived})
    return len(ids)


def outbound_deliveries_old(now):
    """Retention (tracker/retention.py): finished deliveries older than OUTBOUND_WEBHOOK_RETENTION_DAYS; their
    attempts go with them. A pending or sending delivery is kept, however old."""
    cutoff = now - timedelta(days=settings.OUTBOUND_WEBHOOK_RETENTION_DAYS)
    return OutboundDelivery.objects.filter(status__in=(Status.SUCCEEDED, Status.FAILED), created_at__lt=cutoff)
