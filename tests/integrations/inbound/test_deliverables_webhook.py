from datetime import date

import pytest

from deliverables.models import Deliverable
from tests.factories import PipelineStageTemplateFactory, PipelineTemplateFactory, ProjectFactory
from tracker import events

from .conftest import fixture_bytes, fixture_json, post_webhook

pytestmark = pytest.mark.django_db

NAME = "Homepage desktop hero — variant A"


def item(**fields) -> dict:
    return {"deliverable": {"projectOmgJobNumber": "OMG-12345", "name": NAME, **fields}}


def test_the_guides_deliverable_example_creates_a_deliverable_with_every_field_mapped(client, omg_project):
    response = post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated"))

    assert response.status_code == 200
    deliverable = Deliverable.objects.get()
    assert response.json() == {"ok": True, "deliverableId": str(deliverable.pk), "action": "created"}
    assert deliverable.project == omg_project
    assert deliverable.name == NAME
    assert deliverable.priority == "HIGH"
    assert deliverable.status == "IN_PROGRESS"
    assert deliverable.due_date == date(2026, 5, 10)
    assert deliverable.notes == "Must match Q2 launch brand guidelines v3."
    assert deliverable.cmf_sku == "CMF-8829-A"
    assert deliverable.asset_count == 5
    assert deliverable.custom_fields == {"figmaFrameId": "fig-12:345", "copywriter": "patrick.mccarthy@oliver.agency"}


def test_a_new_deliverable_gets_every_stage_of_the_default_pipeline(client, omg_project):
    post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated"))
    deliverable = Deliverable.objects.get()
    assert deliverable.stages.count() == 11
    assert deliverable.current_stage.name == "Pipeline"


def test_a_new_deliverable_gets_the_stages_of_its_projects_pipeline(client):
    template = PipelineTemplateFactory(name="Social")
    for order, name in enumerate(["Brief", "Shoot", "Edit"]):
        PipelineStageTemplateFactory(template=template, name=name, slug=name.lower(), order=order)
    ProjectFactory(omg_job_number="OMG-12345", pipeline_template=template)
    post_webhook(client, "deliverables", item())
    assert list(Deliverable.objects.get().stages.values_list("name", flat=True)) == ["Brief", "Shoot", "Edit"]


def test_a_replay_updates_the_same_deliverable_without_new_stages(client, omg_project):
    first = post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated")).json()
    second = post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated")).json()
    assert second == {"ok": True, "deliverableId": first["deliverableId"], "action": "updated"}
    assert Deliverable.objects.count() == 1
    assert Deliverable.objects.get().stages.count() == 11


def test_the_same_name_in_another_project_is_another_deliverable(client, omg_project):
    ProjectFactory(omg_job_number="OMG-999")
    post_webhook(client, "deliverables", item())
    post_webhook(client, "deliverables", {"deliverable": {"projectOmgJobNumber": "OMG-999", "name": NAME}})
    assert Deliverable.objects.filter(name=NAME).count() == 2


def test_an_update_that_omits_optional_fields_keeps_the_stored_values(client, omg_project):
    post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated"))
    response = post_webhook(client, "deliverables", item(notes="Use guidelines v4."))
    assert response.json()["action"] == "updated"
    deliverable = Deliverable.objects.get()
    assert deliverable.notes == "Use guidelines v4."
    assert (deliverable.priority, deliverable.status, deliverable.cmf_sku) == ("HIGH", "IN_PROGRESS", "CMF-8829-A")
    assert (deliverable.asset_count, deliverable.due_date) == (5, date(2026, 5, 10))
    assert deliverable.custom_fields == {"figmaFrameId": "fig-12:345", "copywriter": "patrick.mccarthy@oliver.agency"}


@pytest.mark.parametrize("status", ["NOT_STARTED", "IN_PROGRESS", "IN_REVIEW", "APPROVED", "ON_HOLD"])
def test_every_status_of_the_guide_is_accepted(client, omg_project, status):
    assert post_webhook(client, "deliverables", item(status=status)).status_code == 200
    assert Deliverable.objects.get().status == status


def test_a_status_change_goes_through_the_status_service_and_its_events(
    client, omg_project, django_capture_on_commit_callbacks
):
    heard = []
    handler = lambda name, payload: heard.append(name)  # noqa: E731
    events.subscribe(events.ALL_EVENTS, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post_webhook(client, "deliverables", item(status="APPROVED"))
    finally:
        events.unsubscribe(events.ALL_EVENTS, handler)
    assert "deliverable.created" in heard
    assert "deliverable.status_changed" in heard
    assert "deliverable.approved" in heard


def test_an_unknown_parent_project_is_a_404_with_the_guides_hint(client):
    response = post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated"))
    assert response.status_code == 404
    assert response.json() == {
        "error": "parent project not found",
        "hint": "Project must be created via POST /api/webhooks/omg first.",
    }
    assert Deliverable.objects.count() == 0


def test_the_guides_flow_project_first_then_deliverables(client):
    assert post_webhook(client, "deliverables", fixture_json("deliverables", "deliverable__updated")).status_code == 404
    assert post_webhook(client, "omg", fixture_bytes("omg", "job__updated")).status_code == 200
    assert post_webhook(client, "deliverables", fixture_json("deliverables", "deliverable__updated")).status_code == 200


def test_an_invalid_payload_is_reported_before_a_missing_parent(client):
    response = post_webhook(client, "deliverables", {"deliverable": {"projectOmgJobNumber": "OMG-404"}})
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["deliverable", "name"], "message": "This field is required."}]


@pytest.mark.parametrize("missing", ["projectOmgJobNumber", "name"])
def test_required_deliverable_fields(client, omg_project, missing):
    body = fixture_json("deliverables", "deliverable__updated")
    del body["deliverable"][missing]
    response = post_webhook(client, "deliverables", body)
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["deliverable", missing], "message": "This field is required."}]


def test_priority_is_optional_on_the_webhook(client, omg_project):
    assert post_webhook(client, "deliverables", item()).status_code == 200
    assert Deliverable.objects.get().priority == "MEDIUM"
