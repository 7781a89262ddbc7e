"""Sending: one signed delivery per approval, the retry schedule on a clock the test moves, Retry-After, 410,
redirects, timeouts, auto-disable, order per deliverable, and the sweep after a lost message."""

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from deliverables.services import deliverable_set_by_upstream
from integrations.outbound import queue
from integrations.outbound.models import OutboundAttempt, OutboundDelivery
from integrations.outbound.services import (
    outbound_delivery_attempt,
    outbound_endpoint_enable,
    outbound_sweep,
)
from tests.factories import make_deliverable
from tracker.models import Notification
from tracker.retention import retention_prune

from .conftest import approve

pytestmark = pytest.mark.django_db

Status = OutboundDelivery.Status


def _only_delivery() -> OutboundDelivery:
    (delivery,) = OutboundDelivery.objects.all()
    return delivery


def test_an_approval_reaches_the_endpoint_once_signed_as_standard_webhooks_verifies(
    receiver, endpoint_for, deliverable, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_for(receiver.url, events=["deliverable.approved"])
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    (request,) = receiver.requests
    envelope = Webhook(secret).verify(request.body, request.headers)
    assert envelope["event"] == "deliverable.approved"
    assert envelope["organisationId"] == str(endpoint.organisation_id)
    assert envelope["organisationName"] == endpoint.organisation.name
    assert envelope["data"]["deliverable"]["status"] == "APPROVED"
    assert envelope["data"]["deliverable"]["url"].startswith("https://tracker.example.com/loreal-prod-tracker/")
    assert envelope["data"]["project"]["omgJobNumber"] == "OMG-24017"
    assert request.header("X-Tracker-Event") == "deliverable.approved"
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent").startswith("StudioTracker-Webhooks/")
    assert request.path == "/hooks/tracker"
    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.event_name) == (Status.SUCCEEDED, 1, "deliverable.approved")
    assert request.header("webhook-id") == delivery.message_id


def test_failure_schedule_is_at_once_then_30s_5min_30min_then_failed(receiver, endpoint_for, deliverable, clock):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(500, body=b"upstream exploded", times=4)
    approve(deliverable)
    delivery = _only_delivery()
    start = clock.now
    assert delivery.next_attempt_at == start

    waits = []
    for expected in (30, 300, 1800):
        outbound_delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == Status.PENDING
        wait = (delivery.next_attempt_at - clock.now).total_seconds()
        assert expected * 0.9 <= wait <= expected * 1.1, (expected, wait)
        waits.append(wait)
        # Not a moment early: a message that arrives before the due time does nothing.
        assert outbound_delivery_attempt(delivery_id=delivery.pk) is None
        clock.to(delivery.next_attempt_at)
    outbound_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()

    assert delivery.status == Status.FAILED and delivery.next_attempt_at is None
    assert len(receiver.requests) == 4
    attempts = list(delivery.attempt_rows.order_by("number"))
    assert [a.number for a in attempts] == [1, 2, 3, 4]
    assert {a.status_code for a in attempts} == {500} and attempts[0].response_body == "upstream exploded"
    assert [a.started_at for a in attempts][0] == start
    # Stable across retries: the same webhook-id every time.
    assert {r.header("webhook-id") for r in receiver.requests} == {delivery.message_id}
    assert len({r.header("webhook-timestamp") for r in receiver.requests}) == 4
    # Nothing more happens by itself once failed.
    clock.advance(hours=2)
    assert outbound_sweep() == 0


def test_retry_after_on_429_is_honoured_within_the_schedule(receiver, endpoint_for, deliverable, clock):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(429, headers={"Retry-After": "120"})
    receiver.answer(503, headers={"Retry-After": "86400"})
    receiver.answer(429, headers={"Retry-After": "1"})
    approve(deliverable)
    delivery = _only_delivery()

    outbound_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.next_attempt_at - clock.now).total_seconds() == pytest.approx(120)  # longer than 30 s: waited
    clock.to(delivery.next_attempt_at)
    outbound_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.next_attempt_at - clock.now).total_seconds() == pytest.approx(1800)  # capped at the longest wait
    clock.to(delivery.next_attempt_at)
    outbound_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - clock.now).total_seconds()
    assert 1620 <= wait <= 1980  # never sooner than the schedule's own wait
    assert delivery.attempts == 3 and delivery.status == Status.PENDING


def test_410_gone_fails_the_delivery_and_disables_the_endpoint_telling_the_admins(
    receiver, endpoint_for, deliverable, admin_user
):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(410)
    approve(deliverable)
    outbound_delivery_attempt(delivery_id=_only_delivery().pk)

    endpoint.refresh_from_db()
    assert _only_delivery().status == Status.FAILED
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    note = Notification.objects.get(recipient=admin_user)
    assert "disabled" in note.title and note.url.endswith(f"/settings/webhooks/{endpoint.pk}/")


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(receiver, endpoint_for, deliverable):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(302, headers={"Location": f"{receiver.url}/elsewhere"})
    approve(deliverable)
    outbound_delivery_attempt(delivery_id=_only_delivery().pk)

    assert [r.path for r in receiver.requests] == ["/hooks/tracker"]
    delivery = _only_delivery()
    assert delivery.status == Status.PENDING and delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error and "/elsewhere" in delivery.last_error


def test_a_receiver_that_hangs_is_cut_off_at_the_timeout(receiver, endpoint_for, deliverable, settings):
    settings.OUTBOUND_WEBHOOK_TIMEOUT_SECONDS = 1.0
    endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.hang()
    approve(deliverable)
    outbound_delivery_attempt(delivery_id=_only_delivery().pk)

    attempt = OutboundAttempt.objects.get()
    assert attempt.status_code is None and "timed out after 1 s" in attempt.error
    assert 900 <= attempt.duration_ms < 3000
    assert _only_delivery().status == Status.PENDING


def test_an_endpoint_that_only_failed_for_five_days_is_disabled_and_one_click_enables_it(
    receiver, endpoint_for, deliverable, clock, admin_user
):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.status_changed"])
    receiver.answer(500, times=100)
    approve(deliverable)  # one status change
    first = _only_delivery()
    outbound_delivery_attempt(delivery_id=first.pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == clock.now and endpoint.is_active

    clock.advance(days=4, hours=23)
    first.refresh_from_db()
    OutboundDelivery.objects.filter(pk=first.pk).update(next_attempt_at=clock.now)
    outbound_delivery_attempt(delivery_id=first.pk)
    endpoint.refresh_from_db()
    assert endpoint.is_active  # not five days yet

    clock.advance(hours=1, minutes=1)
    OutboundDelivery.objects.filter(pk=first.pk).update(next_attempt_at=clock.now)
    outbound_delivery_attempt(delivery_id=first.pk)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "every attempt since" in endpoint.disabled_reason
    assert Notification.objects.filter(recipient=admin_user, title__contains="disabled").count() == 1

    # While disabled nothing goes out: waiting deliveries fail unsent, new events are not recorded.
    first.refresh_from_db()
    assert first.status == Status.FAILED and first.next_attempt_at is None
    sent = len(receiver.requests)
    assert outbound_delivery_attempt(delivery_id=first.pk) is None
    deliverable_set_by_upstream(deliverable=deliverable, status="ON_HOLD", source="api", system="test")
    assert OutboundDelivery.objects.count() == 1 and len(receiver.requests) == sent

    outbound_endpoint_enable(endpoint=endpoint, actor=admin_user)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is None and endpoint.disabled_reason == ""


def test_a_success_clears_the_failing_period(receiver, endpoint_for, deliverable, clock):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(500)
    approve(deliverable)
    delivery = _only_delivery()
    outbound_delivery_attempt(delivery_id=delivery.pk)
    clock.to(OutboundDelivery.objects.get().next_attempt_at)
    outbound_delivery_attempt(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.last_success_at == clock.now


def test_one_deliverables_events_arrive_in_order_while_other_deliverables_go_on(
    receiver, endpoint_for, deliverable, clock
):
    endpoint_for(receiver.url, events=["deliverable.status_changed"])
    other = make_deliverable(project=deliverable.project, name="Banner B")
    receiver.answer(500)  # the first request fails
    approve(deliverable)  # A1: NOT_STARTED -> APPROVED
    deliverable_set_by_upstream(deliverable=deliverable, status="ON_HOLD", source="api", system="test")  # A2
    deliverable_set_by_upstream(deliverable=other, status="IN_PROGRESS", source="api", system="test")  # B1
    a1, a2, b1 = OutboundDelivery.objects.order_by("id")

    outbound_delivery_attempt(delivery_id=a1.pk)  # fails, retries in 30 s
    assert outbound_delivery_attempt(delivery_id=a2.pk) is None  # waits behind A1
    assert outbound_delivery_attempt(delivery_id=b1.pk).status == Status.SUCCEEDED  # not held up by A
    clock.advance(minutes=1)
    outbound_delivery_attempt(delivery_id=a1.pk)
    outbound_delivery_attempt(delivery_id=a2.pk)

    bodies = [
        (r.json()["data"]["deliverable"]["name"], r.json()["data"]["deliverable"]["status"]) for r in receiver.requests
    ]
    assert bodies == [
        ("Hero banner", "APPROVED"),
        ("Banner B", "IN_PROGRESS"),
        ("Hero banner", "APPROVED"),
        ("Hero banner", "ON_HOLD"),
    ]


def test_at_most_max_in_flight_requests_per_endpoint(receiver, endpoint_for, deliverable, settings):
    settings.OUTBOUND_WEBHOOK_MAX_IN_FLIGHT = 1
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.status_changed"])
    other = make_deliverable(project=deliverable.project, name="Banner B")
    approve(deliverable)
    approve(other)
    first, second = OutboundDelivery.objects.order_by("id")
    OutboundDelivery.objects.filter(pk=first.pk).update(status=Status.SENDING, sending_since=first.created_at)
    assert outbound_delivery_attempt(delivery_id=second.pk) is None  # the endpoint is busy
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_a_dropped_after_commit_callback_still_delivers_once_after_the_sweep(
    receiver, endpoint_for, deliverable, clock, monkeypatch
):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    # The process dies between the commit and sending the message: the on-commit send never happens.
    dropped = []
    monkeypatch.setattr(queue, "send_deliveries", dropped.extend)
    with transaction.atomic():
        approve(deliverable)
    assert len(dropped) == 1 and receiver.requests == []
    monkeypatch.undo()
    monkeypatch.setattr("integrations.outbound.clock.now", clock)

    assert outbound_sweep() == 0  # within the grace period its message may still be on its way
    clock.advance(seconds=61)
    assert outbound_sweep() == 1
    clock.advance(minutes=10)
    assert outbound_sweep() == 0
    assert len(receiver.requests) == 1
    assert _only_delivery().status == Status.SUCCEEDED


def test_an_attempt_whose_worker_died_is_sent_again_by_the_sweep_with_the_same_id(
    receiver, endpoint_for, deliverable, clock, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    approve(deliverable)
    delivery = _only_delivery()
    OutboundDelivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, sending_since=clock.now, attempts=1)
    clock.advance(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED and delivery.attempts == 2
    assert [r.header("webhook-id") for r in receiver.requests] == [delivery.message_id]


def test_finished_deliveries_are_pruned_after_the_retention_period(receiver, endpoint_for, deliverable, clock):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    approve(deliverable)
    outbound_delivery_attempt(delivery_id=_only_delivery().pk)
    assert retention_prune(now=clock.now, only=["outbound.deliveries"]).total == 0
    clock.advance(days=31)
    removed = retention_prune(now=clock.now, only=["outbound.deliveries"]).removed
    assert removed == {"outbound.OutboundDelivery": 1, "outbound.OutboundAttempt": 1}
    assert not OutboundDelivery.objects.exists()
