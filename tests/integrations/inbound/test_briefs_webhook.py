from datetime import UTC, datetime

import pytest

from briefs.models import Brief
from tracker.models import ClientTeam

from .conftest import fixture_bytes, fixture_json, post_webhook

pytestmark = pytest.mark.django_db


def test_the_guides_brief_example_creates_a_pending_brief_with_every_field_mapped(client):
    response = post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    brief = Brief.objects.get()
    assert body == {"ok": True, "briefId": str(brief.pk), "status": "PENDING", "action": "created"}
    assert brief.external_id == "INTAKE-2026-00042"
    assert brief.title == "New homepage takeover for Q2 launch"
    assert brief.description == "Need 3 variants for A/B test, dark mode required."
    assert brief.requestor_name == "Alex Smith"
    assert brief.requestor_email == "alex.smith@dowjones.com"
    assert brief.priority == "HIGH"
    assert brief.requested_due_date == datetime(2026, 5, 15, 17, 0, tzinfo=UTC)
    assert brief.client_team == ClientTeam.objects.get(slug="events")
    assert brief.source == "webhook:mkto"
    assert brief.raw_payload == {"campaignId": "c-8829", "internalBudget": 12500}
    assert brief.organisation.slug == "default"


def test_the_signing_example_body_is_enough_for_a_brief(client):
    response = post_webhook(client, "briefs", fixture_bytes("briefs", "brief__signing_example"))
    assert response.status_code == 200
    brief = Brief.objects.get(pk=response.json()["briefId"])
    assert (brief.title, brief.priority, brief.external_id, brief.client_team) == ("New brief", "HIGH", None, None)
    assert brief.source == "webhook"  # no `system` sent


def test_a_replay_with_the_same_external_id_updates_the_same_brief(client):
    first = post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created")).json()
    second = post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created")).json()
    assert second["briefId"] == first["briefId"]
    assert (first["action"], second["action"]) == ("created", "updated")
    assert Brief.objects.count() == 1


def test_without_external_id_every_call_creates_a_new_brief(client):
    ids = {post_webhook(client, "briefs", {"title": "Same title"}).json()["briefId"] for _ in range(3)}
    assert len(ids) == 3


def test_an_update_that_omits_optional_fields_keeps_the_stored_values(client):
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    response = post_webhook(client, "briefs", {"externalId": "INTAKE-2026-00042", "title": "Renamed takeover"})
    assert response.status_code == 200
    brief = Brief.objects.get()
    assert brief.title == "Renamed takeover"
    assert brief.description == "Need 3 variants for A/B test, dark mode required."
    assert brief.priority == "HIGH"
    assert brief.client_team.slug == "events"
    assert brief.raw_payload == {"campaignId": "c-8829", "internalBudget": 12500}
    assert brief.requested_due_date is not None


def test_null_clears_an_optional_field(client):
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    post_webhook(
        client,
        "briefs",
        {"externalId": "INTAKE-2026-00042", "title": "t", "description": None, "requestedDueDate": None},
    )
    brief = Brief.objects.get()
    assert (brief.description, brief.requested_due_date) == ("", None)


def test_an_unknown_client_team_slug_is_ignored(client):
    body = fixture_json("briefs", "brief__created") | {"clientTeamSlug": "no-such-team"}
    response = post_webhook(client, "briefs", body)
    assert response.status_code == 200
    assert Brief.objects.get().client_team is None


def test_an_unknown_slug_on_an_update_keeps_the_stored_team(client):
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    post_webhook(client, "briefs", {"externalId": "INTAKE-2026-00042", "title": "t", "clientTeamSlug": "nope"})
    assert Brief.objects.get().client_team.slug == "events"


def test_client_team_slug_matches_regardless_of_case(client):
    post_webhook(client, "briefs", {"title": "t", "clientTeamSlug": "Briefing-Team"})
    assert Brief.objects.get().client_team.slug == "briefing-team"


def test_a_replay_does_not_reopen_a_triaged_brief(client):
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    Brief.objects.update(status=Brief.Status.REJECTED)
    body = post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created")).json()
    assert body["status"] == "REJECTED"


def test_external_ids_are_unique_per_organisation_not_globally(client):
    from tests.factories import BriefFactory
    from tracker.models import Organisation

    other = Organisation.objects.create(name="Other studio", slug="other")
    BriefFactory(organisation=other, external_id="INTAKE-2026-00042")
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    assert Brief.objects.filter(external_id="INTAKE-2026-00042").count() == 2


@pytest.mark.parametrize("priority", ["LOW", "MEDIUM", "HIGH", "URGENT"])
def test_every_priority_of_the_guide_is_accepted(client, priority):
    assert post_webhook(client, "briefs", {"title": "t", "priority": priority}).status_code == 200
    assert Brief.objects.get().priority == priority


def test_a_numeric_external_id_is_taken_as_its_digits(client):
    first = post_webhook(client, "briefs", {"externalId": 42, "title": "t"}).json()
    second = post_webhook(client, "briefs", {"externalId": "42", "title": "t"}).json()
    assert first["briefId"] == second["briefId"]
    assert Brief.objects.get().external_id == "42"
