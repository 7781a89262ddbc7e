"""Recording: a delivery row per (event, endpoint), written in the transaction of the change, for the endpoints of the
event's organisation that want it; nothing for a rolled-back change."""

import json

import pytest
from django.db import transaction

from briefs.services import brief_upsert
from integrations.outbound.models import OutboundDelivery
from integrations.outbound.services import outbound_endpoint_disable
from tests.factories import ProjectFactory, make_deliverable
from tracker.events import emit
from tracker.models import Event, Organisation

from .conftest import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_organisation():
    return Organisation.objects.create(name="Other Studio", slug="other")


def test_one_delivery_per_endpoint_that_wants_the_event_in_the_events_own_transaction(
    receiver, endpoint_for, deliverable
):
    wants, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    everything, _ = endpoint_for(receiver.url + "/all", all_events=True)
    endpoint_for(receiver.url + "/briefs", events=["brief.received"])

    with transaction.atomic():
        approve(deliverable)
        event = Event.objects.get(name="deliverable.approved")
        # Already there, inside the transaction that made the change.
        rows = OutboundDelivery.objects.filter(event=event)
        assert {row.endpoint_id for row in rows} == {wants.pk, everything.pk}
    assert {d.event_name for d in OutboundDelivery.objects.filter(endpoint=everything)} == {
        "deliverable.status_changed",
        "deliverable.approved",
    }
    first, second = OutboundDelivery.objects.filter(event=event).order_by("id")
    assert first.body == second.body and first.message_id != second.message_id
    assert first.ordering_key == f"deliverable:{deliverable.pk}" and first.status == OutboundDelivery.Status.PENDING


def test_a_rolled_back_change_records_nothing(receiver, endpoint_for, deliverable):
    endpoint_for(receiver.url, all_events=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(deliverable)
        assert OutboundDelivery.objects.exists()
        raise RuntimeError("the rest of the change failed")
    assert not OutboundDelivery.objects.exists()


def test_only_the_events_organisation_hears_it(receiver, endpoint_for, other_organisation, deliverable):
    endpoint_for(receiver.url, all_events=True, organisation=other_organisation)
    approve(deliverable)
    brief_upsert(organisation=other_organisation, title="Theirs")
    assert list(OutboundDelivery.objects.values_list("event_name", flat=True)) == ["brief.received"]
    assert json.loads(OutboundDelivery.objects.get().body)["organisationName"] == "Other Studio"


def test_a_disabled_endpoint_records_nothing(receiver, endpoint_for, deliverable, admin_user):
    endpoint, _ = endpoint_for(receiver.url, all_events=True)
    outbound_endpoint_disable(endpoint=endpoint, actor=admin_user)
    approve(deliverable)
    assert not OutboundDelivery.objects.exists()


def test_the_organisation_is_found_from_the_ids_when_the_payload_lacks_it(
    receiver, endpoint_for, other_organisation, django_assert_max_num_queries
):
    endpoint_for(receiver.url, events=["project.created"], organisation=other_organisation)
    project = ProjectFactory(organisation=other_organisation, name="Theirs")
    (delivery,) = OutboundDelivery.objects.all()
    body = json.loads(delivery.body)
    assert body["organisationId"] == str(other_organisation.pk) and body["data"]["project"]["name"] == "Theirs"
    # An event nobody subscribed to costs two queries: the organisation from the ids, then its endpoints.
    with django_assert_max_num_queries(3):  # the event row, then those two
        emit("project.updated", {"projectId": str(project.pk)})


def test_an_event_outside_the_catalogue_or_about_a_missing_row_records_nothing(receiver, endpoint_for):
    endpoint_for(receiver.url, all_events=True)
    emit("thing.happened", {"deliverableId": "1"})
    emit("deliverable.updated", {"deliverableId": "999999"})
    assert not OutboundDelivery.objects.exists()


def test_the_test_event_goes_only_to_the_endpoint_that_asked_even_when_disabled(receiver, endpoint_for, admin_user):
    asked, _ = endpoint_for(receiver.url, events=["brief.received"])
    endpoint_for(receiver.url + "/all", all_events=True)
    outbound_endpoint_disable(endpoint=asked, actor=admin_user)
    emit("webhook.test", {"organisationId": str(asked.organisation_id), "endpointId": str(asked.pk)})
    (delivery,) = OutboundDelivery.objects.all()
    assert (delivery.endpoint_id, delivery.trigger) == (asked.pk, OutboundDelivery.Trigger.TEST)


def test_new_deliveries_are_sent_once_the_transaction_commits(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url, events=["deliverable.created"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliverable = make_deliverable(project=ProjectFactory(), name="Teaser")
    assert receiver.requests == []
    for callback in callbacks:
        callback()
    (request,) = receiver.requests
    assert request.json()["data"]["deliverable"]["id"] == str(deliverable.pk)
