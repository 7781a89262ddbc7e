import pytest
from django.urls import reverse

from deliverables.models import Deliverable, Stage
from tests.api_v1.conftest import client_for
from tests.factories import PipelineStageTemplateFactory, PipelineTemplateFactory, ProjectFactory, make_deliverable

pytestmark = pytest.mark.django_db


def deliverables_url(project_id) -> str:
    return reverse("api_v1:project-deliverables", kwargs={"project_id": str(project_id)})


def test_post_creates_a_deliverable_with_its_stages_then_updates_it(api):
    project = ProjectFactory()
    payload = {
        "name": "Homepage desktop hero — variant A",
        "priority": "HIGH",
        "dueDate": "2026-05-10T17:00:00Z",
        "cmfSku": "CMF-8829-A",
        "assetCount": 5,
        "customFields": {"figmaFrameId": "fig-12:345"},
    }
    created = api.post(deliverables_url(project.pk), payload, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["projectId"] == str(project.pk)
    assert body["dueDate"] == "2026-05-10"
    assert body["cmfSku"] == "CMF-8829-A"
    assert body["assetCount"] == 5
    assert body["status"] == "NOT_STARTED"
    assert body["stageProgress"] == {"done": 0, "total": 11, "currentStage": "Pipeline"}

    updated = api.post(deliverables_url(project.pk), {"name": payload["name"], "status": "IN_PROGRESS"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["id"] == body["id"]
    assert updated.json()["status"] == "IN_PROGRESS"
    assert updated.json()["cmfSku"] == "CMF-8829-A"
    deliverable = Deliverable.objects.get(pk=int(body["id"]))
    assert Stage.objects.filter(deliverable=deliverable).count() == 11


def test_stages_come_from_the_projects_pipeline_template(api):
    template = PipelineTemplateFactory()
    for order, name in enumerate(["Design", "Sign-off"]):
        PipelineStageTemplateFactory(template=template, name=name, slug=name.lower(), order=order)
    project = ProjectFactory(pipeline_template=template)
    body = api.post(deliverables_url(project.pk), {"name": "Banner"}, format="json").json()
    assert body["stageProgress"] == {"done": 0, "total": 2, "currentStage": "Design"}


def test_get_lists_the_projects_deliverables_page_by_page(api):
    project = ProjectFactory()
    names = {f"Variant {index}" for index in range(5)}
    for name in names:
        make_deliverable(project, name=name)
    make_deliverable(ProjectFactory(), name="Elsewhere")
    first = api.get(deliverables_url(project.pk), {"limit": 2}).json()
    assert len(first["results"]) == 2
    rows, cursor = list(first["results"]), first["next"]
    while cursor:
        page = api.get(deliverables_url(project.pk), {"limit": 2, "cursor": cursor}).json()
        rows.extend(page["results"])
        cursor = page["next"]
    assert {row["name"] for row in rows} == names
    assert len(rows) == 5


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({}, ["name"]),
        ({"name": "  "}, ["name"]),
        ({"name": "X", "status": "DONE"}, ["status"]),
        ({"name": "X", "assetCount": -1}, ["assetCount"]),
        ({"name": "X", "dueDate": "2026-13-45"}, ["dueDate"]),
    ],
)
def test_invalid_deliverable_payload_is_400_with_issues(api, payload, path):
    project = ProjectFactory()
    response = api.post(deliverables_url(project.pk), payload, format="json")
    assert response.status_code == 400
    assert path in [issue["path"] for issue in response.json()["issues"]]
    assert not Deliverable.objects.filter(project=project).exists()


def test_another_organisations_project_is_404_for_read_and_write(api, other_organisation):
    theirs = ProjectFactory(organisation=other_organisation)
    assert api.get(deliverables_url(theirs.pk)).json() == {"error": "project not found"}
    response = api.post(deliverables_url(theirs.pk), {"name": "Sneaky"}, format="json")
    assert response.status_code == 404
    assert not Deliverable.objects.filter(project=theirs).exists()


def test_writing_deliverables_needs_the_deliverables_write_scope(make_key):
    project = ProjectFactory()
    _key, secret = make_key(scopes=["projects:read"])
    client = client_for(secret)
    assert client.get(deliverables_url(project.pk)).status_code == 200
    assert client.post(deliverables_url(project.pk), {"name": "X"}, format="json").status_code == 403
