import pytest
from django.db import transaction

from tracker import events


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
