"""The cases a probe found on /api/v1, each through its public path: every one answered 500 before."""

import base64
import json

import pytest
from django.urls import reverse

from projects.models import Project
from tests.factories import ProjectFactory
from tracker.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
RANGE_MESSAGE = "Must be between 1900-01-01 and 2999-12-31."
TOO_LARGE = {"error": "payload too large", "maxBytes": 1024 * 1024}


def projects_url() -> str:
    return reverse("api_v1:projects")


def cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["startDate", "dueDate"])
def test_a_project_date_out_of_range_is_an_invalid_payload(api, field, value):
    response = api.post(projects_url(), {"name": "Far out", field: value}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid payload", "issues": [{"path": [field], "message": RANGE_MESSAGE}]},
    )
    assert Project.objects.count() == 0


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_deliverable_due_date_out_of_range_is_an_invalid_payload(api, value):
    project = ProjectFactory()
    response = api.post(
        reverse("api_v1:project-deliverables", args=[project.pk]), {"name": "Hero", "dueDate": value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["dueDate"], "message": RANGE_MESSAGE}]
    assert project.deliverables.count() == 0


def test_json_nested_100000_deep_is_an_invalid_json_body(api):
    response = api.post(projects_url(), "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"error": "invalid JSON body"})


@pytest.mark.parametrize("size", [6 * 1024 * 1024, 2 * 1024 * 1024], ids=["over-djangos-limit", "over-the-api-limit"])
@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "idempotency-key"])
def test_a_body_over_the_limit_is_a_413_and_claims_no_idempotency_key(api, size, with_key):
    body = json.dumps({"name": "Big", "description": "x" * size})
    headers = {"HTTP_IDEMPOTENCY_KEY": "big-1"} if with_key else {}
    response = api.post(projects_url(), body, content_type="application/json", **headers)
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert Project.objects.count() == 0 and IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b'["2026-01-01T00:00:00+00:00",1e400]',
        b'["2026-01-01T00:00:00+00:00",1.5]',
        b'["2026-01-01T00:00:00+00:00",true]',
        b'["2026-01-01T00:00:00+00:00",99999999999999999999999]',
        b'["2026-01-01T00:00:00+00:00",0]',
        b'["2026-01-01T00:00:00",1]',
        b'["0001-01-01T00:00:00+05:00",1]',
        b'["9999-12-31T23:59:59-05:00",1]',
        b"[" * 60 + b"]" * 60,
        b"not json",
    ],
    ids=["1e400", "float", "bool", "huge", "zero", "naive", "year-1", "year-9999", "deep", "garbage"],
)
def test_a_crafted_cursor_is_an_invalid_cursor(api, raw):
    response = api.get(projects_url(), {"cursor": cursor(raw)})
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid payload", "issues": [{"path": ["cursor"], "message": "invalid cursor"}]},
    )


def test_updated_since_out_of_range_is_an_invalid_payload(api):
    response = api.get(projects_url(), {"updatedSince": "9999-12-31T23:59:59-05:00"})
    assert response.status_code == 400 and response.json()["issues"][0]["path"] == ["updatedSince"]


def test_a_nul_in_a_query_parameter_is_an_invalid_payload(api):
    response = api.get(projects_url(), {"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["issues"][0]["path"] == ["q"]
