"""POST /api/briefs: the REST twin of the briefs webhook, for signed-in users with PROJECT_CREATE."""

import json

import pytest
from django.urls import reverse

from briefs.models import Brief
from tests.factories import UserFactory
from tracker.models import Organisation, User

pytestmark = pytest.mark.django_db

GUIDE_BODY = {
    "externalId": "INTAKE-2026-00042",
    "title": "New homepage takeover for Q2 launch",
    "description": "Need 3 variants for A/B test, dark mode required.",
    "requestorName": "Alex Smith",
    "requestorEmail": "alex.smith@dowjones.com",
    "priority": "HIGH",
    "requestedDueDate": "2026-05-15T17:00:00Z",
    "clientTeamSlug": "events",
    "system": "mkto",
    "rawPayload": {"campaignId": "c-8829", "internalBudget": 12500},
}


def url() -> str:
    return reverse("briefs_api:create")


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url(), data=data, content_type=content_type)


def test_the_url_is_under_the_base_path():
    assert url() == "/loreal-prod-tracker/api/briefs"


def test_a_producer_creates_a_brief_from_the_webhook_body(csrf_client, producer):
    response = post(csrf_client(producer), GUIDE_BODY)
    assert response.status_code == 200
    brief = Brief.objects.get()
    assert response.json() == {"ok": True, "briefId": str(brief.pk), "status": "PENDING", "action": "created"}
    assert (brief.external_id, brief.title, brief.priority) == ("INTAKE-2026-00042", GUIDE_BODY["title"], "HIGH")
    assert (brief.requestor_name, brief.requestor_email) == ("Alex Smith", "alex.smith@dowjones.com")
    assert brief.client_team.slug == "events"
    assert brief.raw_payload == GUIDE_BODY["rawPayload"]
    assert brief.source == "rest"
    assert brief.organisation == producer.organisation


def test_an_admin_may_create_briefs(csrf_client, admin_user):
    assert post(csrf_client(admin_user), {"title": "t"}).status_code == 200


def test_the_same_external_id_updates_the_brief_and_keeps_omitted_fields(csrf_client, producer):
    client = csrf_client(producer)
    first = post(client, GUIDE_BODY).json()
    second = post(client, {"externalId": "INTAKE-2026-00042", "title": "Renamed"}).json()
    assert second == {"ok": True, "briefId": first["briefId"], "status": "PENDING", "action": "updated"}
    brief = Brief.objects.get()
    assert (brief.title, brief.description, brief.client_team.slug) == ("Renamed", GUIDE_BODY["description"], "events")


def test_the_brief_lands_in_the_users_organisation(csrf_client):
    studio = Organisation.objects.create(name="Second studio", slug="second")
    user = UserFactory(role=User.Role.PRODUCER, organisation=studio)
    post(csrf_client(user), {"title": "Theirs", "clientTeamSlug": "events"})
    brief = Brief.objects.get()
    assert brief.organisation == studio
    assert brief.client_team is None  # "events" belongs to the default organisation


def test_anonymous_gets_a_json_401(csrf_client):
    response = post(csrf_client(None), GUIDE_BODY)
    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}


@pytest.mark.parametrize("role", [User.Role.REVIEWER, User.Role.VIEWER])
def test_a_role_without_project_create_gets_a_json_403(csrf_client, role):
    response = post(csrf_client(UserFactory(role=role)), GUIDE_BODY)
    assert response.status_code == 403
    assert response.json() == {"error": "permission denied"}
    assert Brief.objects.count() == 0


def test_a_session_without_the_csrf_token_is_refused(csrf_client, producer):
    response = post(csrf_client(producer, csrf=False), GUIDE_BODY)
    assert response.status_code == 403
    assert response.json()["error"].startswith("CSRF Failed")
    assert Brief.objects.count() == 0


def test_title_is_required(csrf_client, producer):
    response = post(csrf_client(producer), {"priority": "HIGH"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid payload",
        "issues": [{"path": ["title"], "message": "This field is required."}],
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 5),
        ("title", None),
        ("priority", "high"),
        ("requestorEmail", "nope"),
        ("requestedDueDate", "next week"),
        ("rawPayload", [1]),
        ("externalId", {"id": 1}),
        ("clientTeamSlug", 3),
        ("description", ["a"]),
    ],
)
def test_wrong_types_are_invalid_payloads(csrf_client, producer, field, value):
    response = post(csrf_client(producer), GUIDE_BODY | {field: value})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid payload"
    assert [issue["path"] for issue in response.json()["issues"]] == [[field]]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"not json", 400, "invalid JSON body"),
        (b"{", 400, "invalid JSON body"),
        (b'{"title": NaN}', 400, "invalid JSON body"),
        (b"[" * 50_000 + b"]" * 50_000, 400, "invalid JSON body"),
        (b"[]", 400, "invalid payload"),
        (b"null", 400, "invalid payload"),
        (b'"x"', 400, "invalid payload"),
        (b"", 400, "invalid payload"),
    ],
)
def test_garbage_bodies_get_json_errors(csrf_client, producer, body, status, error):
    response = post(csrf_client(producer), body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_by_content_type_is_a_json_415(csrf_client, producer, content_type):
    response = post(csrf_client(producer), "title=x", content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {"error": "unsupported media type"}


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_only_post_is_served(csrf_client, producer, method):
    response = getattr(csrf_client(producer), method)(url())
    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}
