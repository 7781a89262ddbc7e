from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import UserFactory
from tracker import events
from tracker.models import Event, EventDelivery
from tracker.retention import retention_prune


@pytest.fixture
def received():
    calls = []

    def handler(name, payload):
        calls.append((name, payload))

    events.subscribe("thing.happened", handler)
    yield calls
    events.unsubscribe("thing.happened", handler)


@pytest.mark.django_db(transaction=True)
def test_emit_delivers_after_commit_not_before(received):
    with transaction.atomic():
        events.emit("thing.happened", {"id": 1})
        assert received == []
    assert received == [("thing.happened", {"id": 1})]


@pytest.mark.django_db(transaction=True)
def test_emit_never_delivers_for_a_rolled_back_transaction(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("thing.happened", {"id": 2})
        raise RuntimeError("write failed")
    assert received == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_savepoint_drops_only_its_own_events(received):
    with transaction.atomic():
        events.emit("thing.happened", {"id": "outer"})
        try:
            with transaction.atomic():
                events.emit("thing.happened", {"id": "inner"})
                raise RuntimeError
        except RuntimeError:
            pass
    assert received == [("thing.happened", {"id": "outer"})]


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_stop_the_others(received):
    def broken(name, payload):
        raise ValueError("subscriber bug")

    events.subscribe("thing.happened", broken)
    try:
        events.emit("thing.happened", {"id": 3})
    finally:
        events.unsubscribe("thing.happened", broken)
    assert received == [("thing.happened", {"id": 3})]


@pytest.mark.django_db(transaction=True)
def test_wildcard_subscribers_hear_every_event():
    heard = []
    handler = lambda name, payload: heard.append(name)  # noqa: E731
    events.subscribe(events.ALL_EVENTS, handler)
    try:
        events.emit("a.one", {})
        events.emit("b.two", {})
    finally:
        events.unsubscribe(events.ALL_EVENTS, handler)
    assert heard == ["a.one", "b.two"]


# --- Rows first: the outbox ----------------------------------------------------------------------------------


@pytest.fixture
def recording_subscriber():
    """A subscriber whose work is a database row (a Notification per event), as real subscribers' work is."""
    from tracker.models import Notification

    user = UserFactory()

    def record(name, payload):
        Notification.objects.create(recipient=user, title=f"{name} {payload['id']}")

    events.subscribe("thing.happened", record)
    yield lambda: list(Notification.objects.filter(recipient=user).values_list("title", flat=True))
    events.unsubscribe("thing.happened", record)


def _emit_and_lose_the_callback(payload) -> Event:
    """Commit an event whose after-commit dispatch never runs, as when the process dies right after COMMIT."""
    with mock.patch.object(transaction, "on_commit"), transaction.atomic():
        event = events.emit("thing.happened", payload)
    return event


@pytest.mark.django_db(transaction=True)
def test_emit_writes_the_event_row_in_the_emitting_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("thing.happened", {"id": 1})
        assert Event.objects.filter(name="thing.happened").count() == 1
        raise RuntimeError("write failed")
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_after_commit_dispatch_marks_the_event_dispatched(recording_subscriber):
    with transaction.atomic():
        event = events.emit("thing.happened", {"id": 1})
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert recording_subscriber() == ["thing.happened 1"]
    assert EventDelivery.objects.filter(event=event).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_callback_is_made_good_by_the_sweep_exactly_once(recording_subscriber):
    event = _emit_and_lose_the_callback({"id": 7})
    assert recording_subscriber() == []

    later = timezone.now() + timedelta(seconds=settings.EVENTS_SWEEP_DELAY_SECONDS + 1)
    assert events.events_dispatch_pending(now=later) == 1
    assert events.events_dispatch_pending(now=later) == 0
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert recording_subscriber() == ["thing.happened 7"]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_leaves_fresh_events_to_their_callback(recording_subscriber):
    _emit_and_lose_the_callback({"id": 8})
    assert events.events_dispatch_pending() == 0
    assert recording_subscriber() == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_retried_alone_by_a_later_sweep(recording_subscriber):
    calls = {"n": 0}

    def flaky(name, payload):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("downstream bug")

    events.subscribe("thing.happened", flaky)
    try:
        with transaction.atomic():
            event = events.emit("thing.happened", {"id": 9})
        event.refresh_from_db()
        assert event.dispatched_at is None
        assert (event.attempts, "flaky" in event.last_error) == (1, True)
        assert recording_subscriber() == ["thing.happened 9"]  # the healthy subscriber ran, once

        assert events.events_dispatch_pending(now=event.next_attempt_at + timedelta(seconds=1)) == 1
    finally:
        events.unsubscribe("thing.happened", flaky)
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert calls["n"] == 2
    assert recording_subscriber() == ["thing.happened 9"]  # not repeated by the retry


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscribers_own_writes_roll_back_with_it():
    from tracker.models import Notification

    user = UserFactory()

    def half_done(name, payload):
        Notification.objects.create(recipient=user, title="half")
        raise ValueError("failed after writing")

    events.subscribe("thing.happened", half_done)
    try:
        events.emit("thing.happened", {"id": 10})
    finally:
        events.unsubscribe("thing.happened", half_done)
    assert not Notification.objects.filter(recipient=user).exists()
    assert not EventDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_dispatchers_of_one_event_act_once(recording_subscriber):
    require_postgres()
    event = _emit_and_lose_the_callback({"id": 11})
    results = run_at_once([lambda: events.event_dispatch(event_id=event.pk)] * 4)

    assert all(result is True for result in results), results
    assert recording_subscriber() == ["thing.happened 11"]


@pytest.mark.django_db(transaction=True)
def test_dispatch_events_command_runs_the_sweep(recording_subscriber):
    event = _emit_and_lose_the_callback({"id": 12})
    Event.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("dispatch_events", stdout=out)
    assert out.getvalue().strip() == "Dispatched 1 event."
    assert recording_subscriber() == ["thing.happened 12"]


@pytest.mark.django_db
def test_prune_deletes_old_dispatched_events_and_never_undispatched_ones():
    old = timezone.now() - timedelta(days=settings.EVENTS_RETENTION_DAYS + 1)
    kept_pending = Event.objects.create(name="x", payload={})
    pruned = Event.objects.create(name="x", payload={}, dispatched_at=old)
    recent = Event.objects.create(name="x", payload={}, dispatched_at=timezone.now())
    Event.objects.filter(pk__in=[kept_pending.pk, pruned.pk]).update(created_at=old)

    report = retention_prune(only=["tracker.events"])
    assert report.removed == {"tracker.Event": 1}
    assert set(Event.objects.values_list("pk", flat=True)) == {kept_pending.pk, recent.pk}
