"""The session APIs (the guide's REST twins and the reviews API) answer bad input in their documented shape: the
cases a probe found, each through its public path, and the JSON reader every API shares (tracker/api/parsers.py)."""

import json

import pytest
from django.urls import reverse

from briefs.models import Brief
from deliverables.models import Deliverable
from projects.models import Project
from reviews.models import ReviewSession
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
RANGE_MESSAGE = "Must be between 1900-01-01 and 2999-12-31."
TOO_LARGE = {"error": "payload too large", "maxBytes": 1024 * 1024}
PROJECT = {"projectCode": "DJ-1", "name": "Q2", "status": "ACTIVE", "priority": "HIGH"}


def post(client, url: str, body) -> object:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["startDate", "dueDate"])
def test_a_project_date_out_of_range_is_an_invalid_payload(csrf_client, producer, field, value):
    response = post(csrf_client(producer), reverse("projects_api:create"), {**PROJECT, field: value})
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid payload", "issues": [{"path": [field], "message": RANGE_MESSAGE}]},
    )
    assert Project.objects.count() == 0


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_deliverable_due_date_out_of_range_is_an_invalid_payload(csrf_client, producer, value):
    project = ProjectFactory()
    url = reverse("deliverables_api:create", args=[project.pk])
    response = post(csrf_client(producer), url, {"name": "Hero", "priority": "HIGH", "dueDate": value})
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["dueDate"], "message": RANGE_MESSAGE}]
    assert Deliverable.objects.count() == 0


@pytest.mark.parametrize("size", [6 * 1024 * 1024, 2 * 1024 * 1024], ids=["over-djangos-limit", "over-the-api-limit"])
@pytest.mark.parametrize("route", ["briefs_api:create", "projects_api:create", "api-reviews"])
def test_a_body_over_the_limit_is_a_json_413(csrf_client, producer, route, size):
    response = post(csrf_client(producer), reverse(route), {"title": "Big", "description": "x" * size})
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert Brief.objects.count() + Project.objects.count() + ReviewSession.objects.count() == 0


def test_the_limit_is_a_setting(csrf_client, producer, settings):
    settings.API_MAX_BODY_BYTES = 100
    response = post(csrf_client(producer), reverse("briefs_api:create"), {"title": "x" * 200})
    assert (response.status_code, response.json()) == (413, {"error": "payload too large", "maxBytes": 100})


@pytest.mark.parametrize("route", ["briefs_api:create", "projects_api:create", "api-reviews"])
@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, "[" * 65 + "]" * 65, '{"title": NaN}', "\xff"],
    ids=["deep", "65", "nan", "bytes"],
)
def test_json_the_reader_refuses_is_an_invalid_json_body(csrf_client, producer, route, body):
    response = post(csrf_client(producer), reverse(route), body.encode("latin-1") if body == "\xff" else body)
    assert (response.status_code, response.json()) == (400, {"error": "invalid JSON body"})


# --- The reviews API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, path",
    [
        ({"title": "S", "presenterId": 10**30}, ["presenterId"]),
        ({"title": "S", "deliverableIds": [10**30]}, ["deliverableIds", 0]),
        ({"title": "S", "deliverableIds": [0]}, ["deliverableIds", 0]),
        ({"title": "S", "deliverableIds": list(range(1, 100_001))}, ["deliverableIds"]),
        ({"title": "lone \ud800 surrogate"}, ["title"]),
        ({"title": "nul \x00"}, ["title"]),
    ],
    ids=["huge-presenter", "huge-id", "zero-id", "100k-ids", "surrogate", "nul"],
)
def test_a_review_session_body_no_database_could_take_is_an_invalid_payload(csrf_client, reviewer, body, path):
    response = post(csrf_client(reviewer), reverse("api-reviews"), body)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid payload"
    assert [issue["path"] for issue in response.json()["issues"]] == [path]
    assert ReviewSession.objects.count() == 0


def test_a_refusal_quoting_a_value_no_utf8_can_carry_still_renders(csrf_client, producer):
    """A lone surrogate is a valid JSON string escape; quoted back in "is not a valid choice" it broke the answer."""
    body = {**PROJECT, "priority": "lone \ud800 surrogate"}
    response = post(csrf_client(producer), reverse("projects_api:create"), body)
    assert response.status_code == 400
    assert response.json()["issues"] == [
        {"path": ["priority"], "message": '"lone \\ud800 surrogate" is not a valid choice.'}
    ]
