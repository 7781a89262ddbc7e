"""Sending again by hand: one delivery, every failed delivery of an endpoint since a time, and the test event."""

from datetime import timedelta

import pytest

from integrations.outbound.models import OutboundDelivery
from integrations.outbound.services import (
    outbound_delivery_attempt,
    outbound_delivery_resend,
    outbound_endpoint_disable,
    outbound_endpoint_enable,
    outbound_endpoint_resend_failed,
    outbound_endpoint_send_test,
)
from tests.factories import make_deliverable
from tracker.errors import ConflictError, PermissionDeniedError

from .conftest import approve

pytestmark = pytest.mark.django_db

Status = OutboundDelivery.Status


def _fail_for_good(delivery: OutboundDelivery) -> None:
    OutboundDelivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, next_attempt_at=None, attempts=4)


def test_resend_one_delivery_with_the_same_id_and_a_fresh_schedule(
    receiver, endpoint_for, deliverable, admin_user, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    approve(deliverable)
    delivery = OutboundDelivery.objects.get()
    _fail_for_good(delivery)

    with django_capture_on_commit_callbacks(execute=True):
        outbound_delivery_resend(delivery=delivery, actor=admin_user)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.round_attempts) == (Status.SUCCEEDED, 5, 1)
    assert delivery.requested_by == admin_user
    (request,) = receiver.requests
    assert request.header("webhook-id") == delivery.message_id and request.body.decode() == delivery.body


def test_a_waiting_delivery_or_a_disabled_endpoint_refuses_a_resend(receiver, endpoint_for, deliverable, admin_user):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    approve(deliverable)
    delivery = OutboundDelivery.objects.get()
    with pytest.raises(ConflictError, match="already waiting"):
        outbound_delivery_resend(delivery=delivery, actor=admin_user)
    _fail_for_good(delivery)
    outbound_endpoint_disable(endpoint=endpoint, actor=admin_user)
    with pytest.raises(ConflictError, match="disabled"):
        outbound_delivery_resend(delivery=delivery, actor=admin_user)


def test_only_admins_resend(receiver, endpoint_for, deliverable, producer):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    approve(deliverable)
    with pytest.raises(PermissionDeniedError):
        outbound_delivery_resend(delivery=OutboundDelivery.objects.get(), actor=producer)
    with pytest.raises(PermissionDeniedError):
        outbound_endpoint_send_test(endpoint=endpoint, actor=producer)


def test_resend_every_failed_delivery_since_a_time_in_their_order(
    receiver, endpoint_for, deliverable, admin_user, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.status_changed"])
    other = make_deliverable(project=deliverable.project, name="Banner B")
    approve(deliverable)
    approve(other)
    first, second = OutboundDelivery.objects.order_by("id")
    for delivery in (first, second):
        _fail_for_good(delivery)
    OutboundDelivery.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        count = outbound_endpoint_resend_failed(
            endpoint=endpoint, since=first.created_at - timedelta(days=1), actor=admin_user
        )
    assert count == 1
    assert [r.json()["data"]["deliverable"]["name"] for r in receiver.requests] == ["Banner B"]
    assert OutboundDelivery.objects.get(pk=first.pk).status == Status.FAILED


def test_send_test_event_answers_at_once_and_is_not_retried(receiver, endpoint_for, admin_user):
    endpoint, _ = endpoint_for(receiver.url, events=["brief.received"])
    delivery = outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    assert (delivery.status, delivery.last_status_code, delivery.event_name) == (Status.SUCCEEDED, 200, "webhook.test")
    assert receiver.requests[0].json()["data"]["sentBy"]["id"] == str(admin_user.pk)

    receiver.answer(500, body=b"not today")
    failed = outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    assert (failed.status, failed.last_status_code, failed.next_attempt_at) == (Status.FAILED, 500, None)
    assert outbound_delivery_attempt(delivery_id=failed.pk) is None


def test_disabling_fails_what_waits_and_after_enabling_a_resend_since_delivers_it(
    receiver, endpoint_for, deliverable, admin_user, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    other, _ = endpoint_for(receiver.url + "/other", events=["deliverable.approved"])
    approve(deliverable)
    outbound_endpoint_disable(endpoint=endpoint, actor=admin_user)
    mine, theirs = OutboundDelivery.objects.get(endpoint=endpoint), OutboundDelivery.objects.get(endpoint=other)
    assert (mine.status, mine.last_error) == (Status.FAILED, "not sent: the endpoint is disabled")
    assert theirs.status == Status.PENDING

    outbound_endpoint_enable(endpoint=endpoint, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_endpoint_resend_failed(endpoint=endpoint, since=mine.created_at, actor=admin_user) == 1
    assert [r.path for r in receiver.requests] == ["/hooks/tracker"]
    assert OutboundDelivery.objects.get(pk=mine.pk).status == Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_a_long_backlog_is_sent_one_after_another_not_nested(receiver, endpoint_for, admin_user):
    """Without a broker each finished attempt queues the next in-process: 150 deliveries must not nest 150 deep
    (nested, the recursion limit stops them at about 60)."""
    endpoint, _ = endpoint_for(receiver.url, all_events=True)
    for _ in range(150):
        outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    OutboundDelivery.objects.update(status=Status.FAILED)
    receiver.requests.clear()

    count = outbound_endpoint_resend_failed(
        endpoint=endpoint, since=OutboundDelivery.objects.earliest("created_at").created_at, actor=admin_user
    )

    assert count == 150 and len(receiver.requests) == 150
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {Status.SUCCEEDED}
