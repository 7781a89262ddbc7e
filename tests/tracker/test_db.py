"""tracker.db: the statements compiled once read and write exactly what the ORM does, in as few statements."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefs.models import Brief
from tests.factories import default_organisation
from tracker.db import insert, row, rows, upsert
from tracker.models import Event

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_insert_writes_what_the_orm_reads_back_and_rows_reads_it_as_the_orm_does():
    due = timezone.now() + timedelta(minutes=5)
    event = Event(name="brief.received", payload={"briefId": "7", "nested": [1, {"a": None}]}, next_attempt_at=due)
    assert insert(event) is True
    assert event.pk is not None and event.created_at is not None  # id and auto_now_add, as save() leaves them
    from_orm = Event.objects.get(pk=event.pk)
    [from_rows] = rows(Event, name="brief.received", next_attempt_at=due)
    assert _values(from_rows) == _values(from_orm) == _values(event)
    assert from_rows.payload == {"briefId": "7", "nested": [1, {"a": None}]}  # JSON decoded, not text


def test_rows_matches_null_orders_by_id_and_takes_a_limit():
    first, second = Event(name="x.happened", payload={}), Event(name="x.happened", payload={})
    insert(first)
    insert(second)
    insert(Event(name="x.happened", payload={}, dispatched_at=timezone.now()))
    assert [e.pk for e in rows(Event, name="x.happened", dispatched_at=None)] == [first.pk, second.pk]
    assert row(Event, name="x.happened", dispatched_at=None).pk == first.pk
    assert row(Event, name="nothing.happened") is None


def test_upsert_creates_replays_and_updates_in_the_fewest_statements():
    organisation = default_organisation()
    lookup = {"organisation": organisation, "external_id": "DB-1"}
    fields = {"title": "First", "source": "webhook:test"}
    with CaptureQueriesContext(connection) as create:
        brief, created = upsert(Brief, lookup=lookup, create_fields=fields, update_fields=fields)
    assert created is True and brief.pk is not None
    assert brief.organisation is organisation  # the caller's row, with the related row it was given
    # Postgres: the read and the insert are one statement; elsewhere a read, then the insert.
    assert len(create) == (1 if connection.vendor == "postgresql" else 2)

    stored = Brief.objects.get(pk=brief.pk)
    with CaptureQueriesContext(connection) as replay:
        again, created = upsert(Brief, lookup=lookup, create_fields=fields, update_fields=fields)
    assert (again.pk, created) == (brief.pk, False)
    assert len(replay) == 1  # read, nothing to write
    assert Brief.objects.get(pk=brief.pk).updated_at == stored.updated_at

    changed, created = upsert(Brief, lookup=lookup, create_fields=fields, update_fields={"title": "Second"})
    assert (changed.pk, created) == (brief.pk, False)
    refreshed = Brief.objects.get(pk=brief.pk)
    assert refreshed.title == "Second" and refreshed.updated_at > stored.updated_at
    assert Brief.objects.filter(external_id="DB-1").count() == 1


def test_insert_or_nothing_inserts_nothing_on_a_conflict():
    organisation = default_organisation()
    insert(Brief(organisation=organisation, external_id="DB-2", title="Kept"))
    clash = Brief(organisation=organisation, external_id="DB-2", title="Refused")
    assert insert(clash, or_nothing=True) is False
    assert clash.pk is None
    assert list(Brief.objects.filter(external_id="DB-2").values_list("title", flat=True)) == ["Kept"]
