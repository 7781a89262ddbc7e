"""Races (Postgres): two messages for one delivery send it once; sweeps running beside the attempts send nothing
twice."""

import pytest

from integrations.outbound.models import OutboundAttempt, OutboundDelivery
from integrations.outbound.services import outbound_delivery_attempt, outbound_sweep
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import make_deliverable

from .conftest import approve


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_messages_for_one_delivery_send_it_once(receiver, endpoint_for, deliverable, monkeypatch):
    require_postgres()
    endpoint_for(receiver.url, events=["deliverable.approved"])
    monkeypatch.setattr("integrations.outbound.queue.send_deliveries", lambda ids: None)  # we send by hand
    approve(deliverable)
    delivery = OutboundDelivery.objects.get()

    results = run_at_once([lambda: outbound_delivery_attempt(delivery_id=delivery.pk)] * 4)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(receiver.requests) == 1 and OutboundAttempt.objects.count() == 1
    assert OutboundDelivery.objects.get().status == OutboundDelivery.Status.SUCCEEDED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweeps_and_attempts_at_once_deliver_each_event_once(receiver, endpoint_for, deliverable, clock, monkeypatch):
    require_postgres()
    endpoint_for(receiver.url, events=["deliverable.approved"])
    monkeypatch.setattr("integrations.outbound.queue.send_deliveries", lambda ids: None)
    others = [make_deliverable(project=deliverable.project, name=f"Banner {n}") for n in range(5)]
    for item in [deliverable, *others]:
        approve(item)
    monkeypatch.undo()
    monkeypatch.setattr("integrations.outbound.clock.now", clock)
    clock.advance(minutes=2)
    ids = list(OutboundDelivery.objects.values_list("id", flat=True))

    calls = [outbound_sweep, outbound_sweep] + [lambda pk=pk: outbound_delivery_attempt(delivery_id=pk) for pk in ids]
    results = run_at_once(calls)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(r.header("webhook-id") for r in receiver.requests) == sorted(
        OutboundDelivery.objects.values_list("message_id", flat=True)
    )
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
