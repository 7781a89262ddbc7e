"""One intake write path: the webhook, its REST twin and /api/v1 give the same answer for the same refusal,
and the contract fixes hold on every path that can reach them."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from briefs.models import Brief
from integrations.inbound.models import WebhookReceipt
from projects.models import PipelineTemplate, Project
from projects.selectors import pipeline_template_default
from tests.factories import ProjectFactory, default_organisation
from tracker import events
from tracker.api.services import api_key_create
from tracker.models import ApiKey, Organisation

from .conftest import post_webhook

pytestmark = pytest.mark.django_db

TAKEN_NUMBER = "OMG-ELSEWHERE"
TAKEN_ERROR = {"error": f"OMG job number {TAKEN_NUMBER!r} already exists"}


@pytest.fixture
def other_organisations_project(db) -> Project:
    other = Organisation.objects.create(name="Other Studio", slug="other-studio")
    return ProjectFactory(organisation=other, omg_job_number=TAKEN_NUMBER, name="Theirs")


@pytest.fixture
def v1(db) -> APIClient:
    _, secret = api_key_create(
        organisation=default_organisation(), name="sync", scopes=[scope.value for scope in ApiKey.Scope]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def rest_post(client, user, url: str, body: dict):
    client.force_login(user)
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- An OMG job number held by another organisation: 409 on every path, nothing written ------------------------


def test_webhook_answers_409_for_another_organisations_job_number(client, other_organisations_project):
    response = post_webhook(client, "omg", {"job": {"number": TAKEN_NUMBER, "name": "Mine now"}})

    assert response.status_code == 409
    assert response.json() == TAKEN_ERROR
    other_organisations_project.refresh_from_db()
    assert other_organisations_project.name == "Theirs"
    assert Project.objects.count() == 1
    receipt = WebhookReceipt.objects.get()
    assert (receipt.status_code, receipt.outcome) == (409, WebhookReceipt.Outcome.REJECTED)


def test_rest_twin_answers_the_same_409(client, producer, other_organisations_project):
    response = rest_post(
        client,
        producer,
        reverse("projects_api:create"),
        {"projectCode": "P-1", "name": "X", "status": "ACTIVE", "priority": "HIGH", "omgJobNumber": TAKEN_NUMBER},
    )
    assert response.status_code == 409
    assert response.json() == TAKEN_ERROR
    assert Project.objects.count() == 1


def test_v1_answers_the_same_409(v1, other_organisations_project):
    response = v1.post(reverse("api_v1:projects"), data={"name": "X", "omgJobNumber": TAKEN_NUMBER}, format="json")
    assert response.status_code == 409
    assert response.json() == TAKEN_ERROR
    assert Project.objects.count() == 1


def test_deliverables_webhook_does_not_attach_to_another_organisations_project(client, other_organisations_project):
    body = {"deliverable": {"projectOmgJobNumber": TAKEN_NUMBER, "name": "Hero banner"}}
    response = post_webhook(client, "deliverables", body)

    assert response.status_code == 404
    assert response.json()["error"] == "parent project not found"
    assert not other_organisations_project.deliverables.exists()


# --- An omitted optional field never overwrites a stored one ---------------------------------------------------


def test_a_briefs_webhook_source_survives_an_update_that_omits_system(client):
    first = {"externalId": "MKTO-1", "title": "Spring launch", "system": "mkto"}
    assert post_webhook(client, "briefs", first).status_code == 200
    assert post_webhook(client, "briefs", {"externalId": "MKTO-1", "title": "Spring launch v2"}).status_code == 200

    brief = Brief.objects.get()
    assert (brief.title, brief.source) == ("Spring launch v2", "webhook:mkto")


def test_a_brief_first_sent_without_system_reads_webhook_until_a_system_is_named(client):
    post_webhook(client, "briefs", {"externalId": "B-2", "title": "Untagged"})
    assert Brief.objects.get().source == "webhook"
    post_webhook(client, "briefs", {"externalId": "B-2", "title": "Untagged", "system": "jira"})
    assert Brief.objects.get().source == "webhook:jira"


def test_a_rest_update_keeps_a_webhook_briefs_source(client, producer):
    post_webhook(client, "briefs", {"externalId": "MKTO-3", "title": "From upstream", "system": "mkto"})
    response = rest_post(client, producer, reverse("briefs_api:create"), {"externalId": "MKTO-3", "title": "Edited"})

    assert response.status_code == 200
    brief = Brief.objects.get()
    assert (brief.title, brief.source) == ("Edited", "webhook:mkto")


def test_a_brief_created_through_rest_reads_rest(client, producer):
    rest_post(client, producer, reverse("briefs_api:create"), {"title": "Phoned in"})
    assert Brief.objects.get().source == "rest"


# --- The OMG webhook's event is optional metadata -----------------------------------------------------------------


@pytest.mark.parametrize("event", ["job.deleted", "job.archived", "something new"])
def test_an_event_outside_the_guide_is_recorded_and_the_job_still_upserted(client, event):
    response = post_webhook(client, "omg", {"event": event, "job": {"number": "OMG-9", "name": "Job nine"}})

    assert response.status_code == 200
    assert Project.objects.get().omg_job_number == "OMG-9"
    assert WebhookReceipt.objects.get().event == event


# --- Every intake path records the pipeline its deliverables will use --------------------------------------------


def _make_other_template_default() -> PipelineTemplate:
    organisation = default_organisation()
    PipelineTemplate.objects.filter(organisation=organisation).update(is_default=False)
    return PipelineTemplate.objects.create(organisation=organisation, name="Short", is_default=True)


def test_webhook_project_records_the_default_pipeline_at_creation(client):
    expected = pipeline_template_default(organisation=default_organisation())
    post_webhook(client, "omg", {"job": {"number": "OMG-10", "name": "Ten"}})
    project = Project.objects.get()
    assert project.pipeline_template == expected is not None

    _make_other_template_default()
    post_webhook(client, "omg", {"job": {"number": "OMG-10", "name": "Ten, renamed"}})
    project.refresh_from_db()
    assert project.pipeline_template == expected  # an update never re-points the pipeline


def test_rest_project_records_the_default_pipeline_at_creation(client, producer):
    expected = pipeline_template_default(organisation=default_organisation())
    rest_post(
        client,
        producer,
        reverse("projects_api:create"),
        {"projectCode": "P-2", "name": "Two", "status": "ACTIVE", "priority": "LOW"},
    )
    assert Project.objects.get().pipeline_template == expected is not None


def test_v1_project_records_the_default_pipeline_at_creation(v1):
    expected = pipeline_template_default(organisation=default_organisation())
    v1.post(reverse("api_v1:projects"), data={"name": "Three"}, format="json")
    assert Project.objects.get().pipeline_template == expected is not None


# --- One project intake, one project.created ------------------------------------------------------------------


def test_one_webhook_project_intake_emits_one_event(client, django_capture_on_commit_callbacks):
    heard = []

    def handler(name, payload):
        heard.append(name)

    events.subscribe(events.ALL_EVENTS, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post_webhook(client, "omg", {"job": {"number": "OMG-11"}})
    finally:
        events.unsubscribe(events.ALL_EVENTS, handler)

    assert [name for name in heard if name.startswith("project.")] == ["project.created"]
    project = Project.objects.get()
    assert (project.name, project.source) == ("OMG-11", "webhook:omg")
