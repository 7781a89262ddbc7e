import re
from datetime import date

import pytest

from projects.models import Project
from tests.factories import ClientTeamFactory, ProjectFactory
from tracker import events

from .conftest import fixture_bytes, fixture_json, post_webhook

pytestmark = pytest.mark.django_db


def job(**fields) -> dict:
    return {"job": {"number": "OMG-777", **fields}}


def test_the_guides_job_example_creates_a_project_with_every_field_mapped(client):
    response = post_webhook(client, "omg", fixture_bytes("omg", "job__updated"))

    assert response.status_code == 200
    project = Project.objects.get()
    assert response.json() == {"ok": True, "projectId": str(project.pk), "action": "created"}
    assert project.omg_job_number == "OMG-12345"
    assert project.name == "Q2 Launch Homepage Takeover"
    assert project.client == "Dow Jones"
    assert project.client_team.slug == "events"
    assert project.business_unit == "Display"
    assert project.priority == "HIGH"
    assert project.status == "ACTIVE"
    assert project.outputs == 3
    assert project.notes == "Priority — board sign-off required."
    assert project.requestor == "alex.smith@dowjones.com"
    assert project.start_date == date(2026, 4, 20)
    assert project.due_date == date(2026, 5, 15)
    assert project.custom_fields == {"costCenter": "CC-4821", "legalReviewRequired": True}
    assert project.source == "webhook:omg"


def test_a_created_project_gets_a_generated_unique_project_code(client):
    codes = set()
    for number in ("OMG-1", "OMG-2", "OMG-3"):
        project_id = post_webhook(client, "omg", {"job": {"number": number, "name": number}}).json()["projectId"]
        codes.add(Project.objects.get(pk=project_id).project_code)
    assert len(codes) == 3
    assert all(re.fullmatch(r"PRJ-\d{4}-[0-9A-F]{6}", code) for code in codes)


def test_a_replay_updates_the_same_project_and_keeps_its_code(client):
    first = post_webhook(client, "omg", fixture_bytes("omg", "job__updated")).json()
    code = Project.objects.get().project_code
    second = post_webhook(client, "omg", fixture_bytes("omg", "job__updated")).json()
    assert second == {"ok": True, "projectId": first["projectId"], "action": "updated"}
    assert Project.objects.count() == 1
    assert Project.objects.get().project_code == code


def test_an_update_that_omits_optional_fields_keeps_the_stored_values(client):
    post_webhook(client, "omg", fixture_bytes("omg", "job__updated"))
    response = post_webhook(
        client, "omg", {"event": "job.status_changed", "job": {"number": "OMG-12345", "status": "On Hold"}}
    )
    assert response.json()["action"] == "updated"
    project = Project.objects.get()
    assert project.status == "ON_HOLD"
    assert project.name == "Q2 Launch Homepage Takeover"
    assert (project.client, project.business_unit, project.priority) == ("Dow Jones", "Display", "HIGH")
    assert (project.outputs, project.requestor, project.client_team.slug) == (3, "alex.smith@dowjones.com", "events")
    assert (project.start_date, project.due_date) == (date(2026, 4, 20), date(2026, 5, 15))
    assert project.custom_fields == {"costCenter": "CC-4821", "legalReviewRequired": True}


def test_the_webhook_updates_a_project_made_elsewhere_with_the_same_job_number(client):
    existing = ProjectFactory(omg_job_number="OMG-12345", name="From the spreadsheet", project_code="DJ-2026-0042")
    body = post_webhook(client, "omg", fixture_bytes("omg", "job__updated")).json()
    assert body == {"ok": True, "projectId": str(existing.pk), "action": "updated"}
    existing.refresh_from_db()
    assert (existing.project_code, existing.name) == ("DJ-2026-0042", "Q2 Launch Homepage Takeover")


def test_a_job_without_a_name_is_named_after_its_number_and_a_later_name_wins(client):
    post_webhook(client, "omg", job())
    assert Project.objects.get().name == "OMG-777"
    post_webhook(client, "omg", job(name="Real name"))
    post_webhook(client, "omg", job(status="amends"))
    assert Project.objects.get().name == "Real name"


@pytest.mark.parametrize(
    ("omg_status", "status"),
    [
        ("brief in review", "PIPELINE"),
        ("Brief In Review", "PIPELINE"),
        ("amends", "ACTIVE"),
        ("AMENDS", "ACTIVE"),
        ("in production", "ACTIVE"),
        ("In Production", "ACTIVE"),
        ("client review", "ACTIVE"),
        ("on hold", "ON_HOLD"),
        ("On Hold", "ON_HOLD"),
        ("  on   hold ", "ON_HOLD"),
        ("Completed", "ACTIVE"),
        ("something new", "ACTIVE"),
        ("", "ACTIVE"),
    ],
)
def test_status_goes_through_the_status_map(client, omg_status, status):
    assert post_webhook(client, "omg", job(status=omg_status)).status_code == 200
    assert Project.objects.get().status == status


def test_an_unmapped_status_sets_active_even_on_a_project_on_hold(client):
    post_webhook(client, "omg", job(status="on hold"))
    post_webhook(client, "omg", job(status="Delivered"))
    assert Project.objects.get().status == "ACTIVE"


@pytest.mark.parametrize(
    ("omg_priority", "priority"),
    [("priority", "URGENT"), ("high", "HIGH"), ("medium", "MEDIUM"), ("low", "LOW"), ("High", "HIGH"), ("LOW", "LOW")],
)
def test_priority_words_map_to_priorities(client, omg_priority, priority):
    assert post_webhook(client, "omg", job(priority=omg_priority)).status_code == 200
    assert Project.objects.get().priority == priority


def test_an_unknown_priority_word_is_an_invalid_payload(client):
    response = post_webhook(client, "omg", job(priority="urgent"))
    assert response.status_code == 400
    assert response.json()["issues"] == [
        {"path": ["job", "priority"], "message": 'Must be one of "priority", "high", "medium", "low".'}
    ]


@pytest.mark.parametrize("team", ["events", "EVENTS", "Events", "Briefing Team", "briefing-team", "bRiEfInG tEaM"])
def test_team_matches_a_client_team_by_slug_or_name_ignoring_case(client, team):
    post_webhook(client, "omg", job(team=team))
    assert Project.objects.get().client_team.slug in ("events", "briefing-team")
    assert Project.objects.get().client_team.name.lower().replace(" ", "-") == team.lower().replace(" ", "-")


def test_a_slug_match_wins_over_another_teams_name(client):
    ClientTeamFactory(name="events", slug="legacy-events")
    post_webhook(client, "omg", job(team="events"))
    assert Project.objects.get().client_team.slug == "events"


def test_an_unknown_team_is_ignored_and_keeps_the_stored_team(client):
    post_webhook(client, "omg", job(team="events"))
    response = post_webhook(client, "omg", job(team="Nobody"))
    assert response.status_code == 200
    assert Project.objects.get().client_team.slug == "events"


def test_the_first_assignee_with_an_email_becomes_the_requestor(client):
    post_webhook(
        client, "omg", job(assignees=[{"role": "Lead"}, {"email": "second@studio.example"}, {"email": "x@y.z"}])
    )
    assert Project.objects.get().requestor == "second@studio.example"


def test_an_empty_assignee_list_keeps_the_requestor(client):
    post_webhook(client, "omg", job(assignees=[{"email": "lead@studio.example"}]))
    post_webhook(client, "omg", job(assignees=[]))
    assert Project.objects.get().requestor == "lead@studio.example"


def test_dates_are_converted_from_datetimes_to_dates(client):
    post_webhook(client, "omg", job(dates={"accepted": "2026-04-20T23:30:00Z", "externalDeadline": "2026-05-15"}))
    project = Project.objects.get()
    assert (project.start_date, project.due_date) == (date(2026, 4, 20), date(2026, 5, 15))


def test_only_the_date_that_is_sent_changes(client):
    post_webhook(client, "omg", fixture_bytes("omg", "job__updated"))
    post_webhook(client, "omg", {"job": {"number": "OMG-12345", "dates": {"externalDeadline": "2026-06-01T12:00:00Z"}}})
    project = Project.objects.get()
    assert (project.start_date, project.due_date) == (date(2026, 4, 20), date(2026, 6, 1))


@pytest.mark.parametrize("event", ["job.created", "job.updated", "job.assigned", "job.status_changed", "job.completed"])
def test_every_event_of_the_guide_upserts_the_job(client, event):
    assert post_webhook(client, "omg", job(event=event) | {"event": event}).status_code == 200


def test_an_event_that_is_not_text_is_an_invalid_payload(client):
    response = post_webhook(client, "omg", job() | {"event": 42})
    assert response.status_code == 400
    assert response.json()["issues"][0]["path"] == ["event"]


def test_a_missing_job_number_is_an_invalid_payload_naming_the_path(client):
    response = post_webhook(client, "omg", {"job": {"name": "No number"}})
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid payload",
        "issues": [{"path": ["job", "number"], "message": "This field is required."}],
    }
    assert Project.objects.count() == 0


def test_a_missing_job_is_an_invalid_payload(client):
    response = post_webhook(client, "omg", {"event": "job.created"})
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["job"], "message": "This field is required."}]


def test_project_events_are_emitted_after_commit(client, django_capture_on_commit_callbacks):
    heard = []
    handler = lambda name, payload: heard.append((name, payload.get("omgJobNumber")))  # noqa: E731
    events.subscribe(events.ALL_EVENTS, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post_webhook(client, "omg", fixture_json("omg", "job__updated"))
    finally:
        events.unsubscribe(events.ALL_EVENTS, handler)
    assert ("project.created", "OMG-12345") in heard
