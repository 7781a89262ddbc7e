"""Sending again by hand, and the test button. Each needs ADMIN_SETTINGS."""

from datetime import datetime

from django.db import transaction

from tracker.errors import ConflictError
from tracker.events import emit
from tracker.models import User
from tracker.permissions import Permission, require_permission

from .. import clock
from ..catalogue import TEST_EVENT
from ..models import OutboundDelivery, OutboundEndpoint
from .common import OPEN
from .delivery import outbound_delivery_attempt, queue_ready

_RESET = {"status": OutboundDelivery.Status.PENDING, "round_attempts": 0, "last_error": ""}


def _lock_active(endpoint_id: int) -> OutboundEndpoint:
    endpoint = OutboundEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint_id)
    if not endpoint.is_active:
        raise ConflictError("the endpoint is disabled: enable it first")
    return endpoint


@transaction.atomic
def outbound_delivery_resend(*, delivery: OutboundDelivery, actor: User | None) -> OutboundDelivery:
    """Send a finished delivery again, with the same `webhook-id` and body, on a fresh retry schedule."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    endpoint = _lock_active(delivery.endpoint_id)
    delivery = OutboundDelivery.objects.select_for_update(no_key=True).get(pk=delivery.pk)
    if delivery.status in OPEN:
        raise ConflictError("this delivery is already waiting to be sent")
    for name, value in {**_RESET, "next_attempt_at": clock.now(), "requested_by": actor}.items():
        setattr(delivery, name, value)
    delivery.save()
    transaction.on_commit(lambda: queue_ready(endpoint.pk))
    return delivery


@transaction.atomic
def outbound_endpoint_resend_failed(*, endpoint: OutboundEndpoint, since: datetime, actor: User | None) -> int:
    """Send again every failed delivery of the endpoint recorded since `since`, oldest first (a few at a time:
    each one that finishes queues the next). Returns how many."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    endpoint = _lock_active(endpoint.pk)
    count = OutboundDelivery.objects.filter(
        endpoint=endpoint, status=OutboundDelivery.Status.FAILED, created_at__gte=since
    ).update(**_RESET, next_attempt_at=clock.now(), requested_by=actor, updated_at=clock.now())
    transaction.on_commit(lambda: queue_ready(endpoint.pk))
    return count


def outbound_endpoint_send_test(*, endpoint: OutboundEndpoint, actor: User | None) -> OutboundDelivery:
    """ "Send test event": emit `webhook.test` for this endpoint alone and make its one attempt now, in this
    request, so the page can show the answer. Not retried; resend it from the log."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    with transaction.atomic():
        event = emit(
            TEST_EVENT,
            {
                "organisationId": str(endpoint.organisation_id),
                "endpointId": str(endpoint.pk),
                "actorId": str(actor.pk) if actor is not None else None,
            },
        )
    delivery = OutboundDelivery.objects.get(event=event, endpoint_id=endpoint.pk)
    outbound_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery
