"""In-transaction recorders (`subscribe_in_transaction`): run inside the emitting transaction with the Event row,
so what they write commits or rolls back with the change."""

import pytest
from django.db import transaction

from tracker import events
from tracker.models import Event, Notification


@pytest.fixture
def recorded():
    seen = []

    def recorder(event: Event) -> None:
        seen.append((event.pk, event.name, transaction.get_connection().in_atomic_block))

    events.subscribe_in_transaction("thing.happened", recorder)
    yield seen
    events.unsubscribe_in_transaction("thing.happened", recorder)


@pytest.mark.django_db(transaction=True)
def test_a_recorder_runs_inside_the_emitting_transaction_with_the_event_row(recorded):
    with transaction.atomic():
        event = events.emit("thing.happened", {"id": 1})
        assert recorded == [(event.pk, "thing.happened", True)]
    events.emit("other.thing", {})
    assert len(recorded) == 1


@pytest.mark.django_db(transaction=True)
def test_what_a_recorder_writes_rolls_back_with_the_change(admin_user):
    def recorder(event: Event) -> None:
        Notification.objects.create(recipient=admin_user, title=f"recorded {event.name}")

    events.subscribe_in_transaction(events.ALL_EVENTS, recorder)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit("thing.happened", {})
            raise RuntimeError("the change failed")
        assert not Notification.objects.exists() and not Event.objects.exists()
        events.emit("thing.happened", {})  # autocommit: the event and its record are still one transaction
        assert Notification.objects.get().title == "recorded thing.happened"
    finally:
        events.unsubscribe_in_transaction(events.ALL_EVENTS, recorder)


@pytest.mark.django_db(transaction=True)
def test_a_recorder_that_raises_fails_the_change():
    def broken(event: Event) -> None:
        raise ValueError("recorder bug")

    events.subscribe_in_transaction("thing.happened", broken)
    try:
        with pytest.raises(ValueError), transaction.atomic():
            events.emit("thing.happened", {})
    finally:
        events.unsubscribe_in_transaction("thing.happened", broken)
    assert not Event.objects.exists()
