"""Fuzzing the JSON APIs: /api/v1 (API key), the guide's REST twins and the reviews API (signed-in users).
Whatever the body, query string or header, the answer is JSON in the documented shape and a refusal writes
nothing."""

import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from briefs.models import Brief
from deliverables.models import Deliverable, Stage
from projects.models import Project
from reviews.models import FeedbackItem, ReviewSession
from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tracker.api.services import api_key_create
from tracker.models import ApiKey, IdempotencyRecord, User
from tracker.services import organisation_default

from .conftest import fuzz
from .shapes import assert_json_answer, row_counts
from .strategies import json_values, mutated, query_values, raw_bodies

pytestmark = pytest.mark.django_db

MODELS = (Brief, Project, Deliverable, Stage, ReviewSession, FeedbackItem)
V1_PROJECT = {
    "name": "Q2 Launch",
    "projectCode": "DJ-2026-0042",
    "omgJobNumber": "OMG-777",
    "status": "ACTIVE",
    "priority": "HIGH",
    "startDate": "2026-04-20",
    "dueDate": "2026-05-15",
    "customFields": {"costCenter": "CC-1"},
}
DELIVERABLE = {"name": "Hero", "priority": "HIGH", "status": "IN_PROGRESS", "dueDate": "2026-05-10", "assetCount": 5}
BRIEF = {"externalId": "E-1", "title": "Brief", "priority": "HIGH", "requestedDueDate": "2026-05-15T17:00:00Z"}
V1_QUERY_KEYS = ["status", "team", "omgJobNumber", "updatedSince", "q", "cursor", "limit"]


@pytest.fixture
def v1(db) -> APIClient:
    _key, secret = api_key_create(
        organisation=organisation_default(), name="Fuzz", scopes=[scope.value for scope in ApiKey.Scope]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def project(db):
    return ProjectFactory(omg_job_number="OMG-FUZZ")


def check_write(send) -> None:
    rows = row_counts(*MODELS)
    response = send()
    assert_json_answer(response)
    if response.status_code >= 400:
        assert row_counts(*MODELS) == rows, "a refusal wrote a row"


@fuzz
@given(body=st.data(), key=st.one_of(st.none(), st.text(max_size=300)))
def test_v1_project_writes(v1, body, key):
    raw = body.draw(raw_bodies(V1_PROJECT), label="body")
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    records = IdempotencyRecord.objects.count()
    check_write(lambda: v1.post(reverse("api_v1:projects"), raw, content_type="application/json", **headers))
    assert IdempotencyRecord.objects.count() <= records + 1


@fuzz
@given(body=st.data())
def test_v1_deliverable_writes(v1, project, body):
    raw = body.draw(raw_bodies(DELIVERABLE), label="body")
    url = reverse("api_v1:project-deliverables", args=[project.pk])
    check_write(lambda: v1.post(url, raw, content_type="application/json"))


@fuzz
@given(query=st.dictionaries(st.sampled_from(V1_QUERY_KEYS), query_values(), max_size=4), project_id=query_values())
def test_v1_reads(v1, project, query, project_id):
    assert_json_answer(v1.get(reverse("api_v1:projects"), query))
    assert_json_answer(v1.get(reverse("api_v1:project-deliverables", args=[project.pk]), query))
    path = reverse("api_v1:projects") + "/" + "".join(c for c in project_id if c not in "/?#") or "x"
    assert_json_answer(v1.get(path))


@pytest.fixture
def session_client(csrf_client, db):
    return csrf_client(UserFactory(username="fuzz-producer", role=User.Role.PRODUCER))


@fuzz
@given(body=st.data())
@pytest.mark.parametrize("twin", ["briefs", "projects", "deliverables"])
def test_rest_twin_writes(session_client, project, twin, body):
    valid = {"briefs": BRIEF, "projects": {**V1_PROJECT, "omgJobNumber": None}, "deliverables": DELIVERABLE}[twin]
    url = {
        "briefs": reverse("briefs_api:create"),
        "projects": reverse("projects_api:create"),
        "deliverables": reverse("deliverables_api:create", args=[project.pk]),
    }[twin]
    raw = body.draw(raw_bodies(valid), label="body")
    check_write(lambda: session_client.post(url, raw, content_type="application/json"))


@pytest.fixture
def stage(project):
    return make_deliverable(project, name="Fuzzed").stages.order_by("order").first()


@fuzz
@given(session=mutated({"title": "Monday review", "presenterId": 1, "deliverableIds": [1, 2]}), data=st.data())
def test_reviews_api_writes(session_client, stage, session, data):
    check_write(
        lambda: session_client.post(reverse("api-reviews"), json.dumps(session), content_type="application/json")
    )
    feedback = data.draw(mutated({"body": "Logo too small", "isActionItem": True, "x": 0.5, "y": 0.5}), label="fb")
    url = reverse("api-stage-feedback", args=[stage.pk])
    check_write(lambda: session_client.post(url, json.dumps(feedback), content_type="application/json"))
    patch = data.draw(st.dictionaries(st.sampled_from(["title", "presenterId"]), json_values(), max_size=2))
    existing = ReviewSession.objects.order_by("pk").first()
    if existing is not None:
        response = session_client.patch(
            reverse("api-review", args=[existing.pk]), json.dumps(patch), content_type="application/json"
        )
        assert_json_answer(response)
