from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deliverables.services import deliverable_complete_stage
from projects.models import PipelineTemplate, Project
from tests.api_v1.conftest import client_for
from tests.factories import (
    ClientTeamFactory,
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    make_deliverable,
)
from tracker.events import ALL_EVENTS, subscribe, unsubscribe

pytestmark = pytest.mark.django_db


def projects_url() -> str:
    return reverse("api_v1:projects")


def project_url(project_id) -> str:
    return reverse("api_v1:project", kwargs={"project_id": str(project_id)})


def collect(api, **params) -> list[dict]:
    """Every page of the list, following `next`."""
    rows, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = api.get(projects_url(), query).json()
        rows.extend(body["results"])
        cursor = body["next"]
        if cursor is None:
            return rows


# --- List -------------------------------------------------------------------------------------------------------


def test_list_pages_through_every_project_once_in_a_stable_order(api):
    projects = [ProjectFactory() for _ in range(7)]
    first = api.get(projects_url(), {"limit": 3}).json()
    assert len(first["results"]) == 3
    assert first["next"]
    rows = collect(api, limit=3)
    assert sorted(row["id"] for row in rows) == sorted(str(p.pk) for p in projects)
    assert len(rows) == 7
    keys = [(row["updatedAt"], int(row["id"])) for row in rows]
    assert keys == sorted(keys, reverse=True)


def test_list_row_uses_the_wire_names(api):
    team = ClientTeamFactory(slug="launch-events")
    project = ProjectFactory(client_team=team, business_unit="Display", priority="HIGH")
    row = api.get(projects_url()).json()["results"][0]
    assert row["id"] == str(project.pk)
    assert row["projectCode"] == project.project_code
    assert row["omgJobNumber"] == project.omg_job_number
    assert row["clientTeamId"] == str(team.pk)
    assert row["clientTeamSlug"] == "launch-events"
    assert row["businessUnit"] == "Display"
    assert row["priority"] == "HIGH"
    assert row["deliverableCount"] == 0


def test_pages_do_not_shift_when_rows_are_added_while_paging(api):
    for _ in range(4):
        ProjectFactory()
    first = api.get(projects_url(), {"limit": 2}).json()
    ProjectFactory(name="Arrived meanwhile")
    second = api.get(projects_url(), {"limit": 2, "cursor": first["next"]}).json()
    seen = {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}
    assert seen == set()
    assert "Arrived meanwhile" not in [row["name"] for row in second["results"]]


def test_filters_status_team_omg_number_and_search(api):
    events = ClientTeamFactory(slug="launch-events")
    active = ProjectFactory(status="ACTIVE", name="Homepage takeover", client_team=events)
    on_hold = ProjectFactory(status="ON_HOLD", name="Newsletter refresh")

    def ids(**params):
        return {row["id"] for row in collect(api, **params)}

    assert ids(status="ON_HOLD") == {str(on_hold.pk)}
    assert ids(team="launch-events") == {str(active.pk)}
    assert ids(omgJobNumber=on_hold.omg_job_number) == {str(on_hold.pk)}
    assert ids(q="takeover") == {str(active.pk)}
    assert ids(q=active.project_code.lower()) == {str(active.pk)}
    assert ids(team="nobody") == set()


def test_updated_since_returns_rows_changed_at_or_after_it(api):
    old = ProjectFactory()
    Project.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    recent = ProjectFactory()
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert {row["id"] for row in collect(api, updatedSince=since)} == {str(recent.pk)}


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"updatedSince": "yesterday"}, ["updatedSince"]),
        ({"status": "DONE"}, ["status"]),
        ({"limit": "0"}, ["limit"]),
        ({"limit": "1000"}, ["limit"]),
        ({"cursor": "not-a-cursor"}, ["cursor"]),
    ],
)
def test_invalid_query_is_400_with_issues(api, params, path):
    response = api.get(projects_url(), params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid payload"
    assert [issue["path"] for issue in body["issues"]] == [path]


def test_other_organisations_projects_are_invisible(api, other_organisation):
    mine = ProjectFactory()
    theirs = ProjectFactory(organisation=other_organisation)
    assert {row["id"] for row in collect(api)} == {str(mine.pk)}
    assert {row["id"] for row in collect(api, omgJobNumber=theirs.omg_job_number)} == set()


@pytest.mark.parametrize("rows", [10, 200])
def test_list_runs_a_constant_number_of_queries(api, rows, django_assert_max_num_queries):
    for _ in range(rows):
        make_deliverable(ProjectFactory(client_team=ClientTeamFactory()))
    with django_assert_max_num_queries(4):
        response = api.get(projects_url(), {"limit": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(rows, 100)


# --- Detail -----------------------------------------------------------------------------------------------------


def test_detail_has_deliverables_with_stage_progress(api):
    project = ProjectFactory()
    hero = make_deliverable(project, name="Hero banner")
    make_deliverable(project, name="Social cut-down")
    deliverable_complete_stage(deliverable=hero, stage=hero.current_stage, actor=None)
    body = api.get(project_url(project.pk)).json()
    assert body["id"] == str(project.pk)
    assert body["deliverableCount"] == 2
    by_name = {d["name"]: d for d in body["deliverables"]}
    assert by_name["Hero banner"]["stageProgress"] == {"done": 1, "total": 11, "currentStage": "New"}
    assert by_name["Social cut-down"]["stageProgress"] == {"done": 0, "total": 11, "currentStage": "Pipeline"}
    assert by_name["Hero banner"]["projectId"] == str(project.pk)


@pytest.mark.parametrize("deliverables", [10, 200])
def test_detail_runs_a_constant_number_of_queries(api, deliverables, django_assert_max_num_queries):
    project = ProjectFactory()
    for index in range(deliverables):
        make_deliverable(project, name=f"Variant {index}")
    with django_assert_max_num_queries(4):
        response = api.get(project_url(project.pk))
    assert len(response.json()["deliverables"]) == deliverables


@pytest.mark.parametrize("project_id", ["999999", "abc", "-1", "1" * 30, "¹", "٣"])
def test_unknown_project_is_404_json(api, project_id):
    response = api.get(project_url(project_id))
    assert response.status_code == 404
    assert response.json() == {"error": "project not found"}


def test_another_organisations_project_is_404(api, other_organisation):
    theirs = ProjectFactory(organisation=other_organisation)
    response = api.get(project_url(theirs.pk))
    assert response.status_code == 404
    assert response.json() == {"error": "project not found"}


# --- Upsert -----------------------------------------------------------------------------------------------------


def test_post_without_omg_number_creates_with_default_pipeline(api, organisation):
    response = api.post(projects_url(), {"name": "Q2 launch", "priority": "HIGH"}, format="json")
    assert response.status_code == 201
    body = response.json()
    project = Project.objects.get(pk=int(body["id"]))
    default = PipelineTemplate.objects.get(organisation=organisation, is_default=True)
    assert body["pipelineTemplateId"] == str(default.pk)
    assert project.pipeline_template == default
    assert project.organisation == organisation
    assert project.source == "api"
    assert body["projectCode"].startswith("PRJ-")
    assert body["status"] == "ACTIVE"


def test_post_with_omg_number_creates_then_updates(api):
    payload = {
        "name": "Q2 Launch Homepage",
        "omgJobNumber": "OMG-12345",
        "projectCode": "DJ-2026-0042",
        "status": "PIPELINE",
        "startDate": "2026-04-20",
        "dueDate": "2026-05-15T17:00:00Z",
        "customFields": {"costCenter": "CC-4821"},
    }
    created = api.post(projects_url(), payload, format="json")
    assert created.status_code == 201
    assert created.json()["dueDate"] == "2026-05-15"
    updated = api.post(projects_url(), {"name": "Renamed", "omgJobNumber": "OMG-12345"}, format="json")
    assert updated.status_code == 200
    body = updated.json()
    assert body["id"] == created.json()["id"]
    assert body["name"] == "Renamed"
    assert body["status"] == "PIPELINE"  # fields not sent keep their value
    assert body["projectCode"] == "DJ-2026-0042"
    assert Project.objects.filter(omg_job_number="OMG-12345").count() == 1


def test_post_with_pipeline_template_id(api):
    template = PipelineTemplateFactory()
    PipelineStageTemplateFactory(template=template, name="Only stage", slug="only", order=0)
    response = api.post(projects_url(), {"name": "Custom", "pipelineTemplateId": str(template.pk)}, format="json")
    assert response.status_code == 201
    assert response.json()["pipelineTemplateId"] == str(template.pk)


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"name": "X", "pipelineTemplateId": "999999"}, ["pipelineTemplateId"]),
        ({"name": "X", "pipelineTemplateId": "abc"}, ["pipelineTemplateId"]),
        ({"name": "X", "clientTeamId": "999999"}, ["clientTeamId"]),
        ({"name": "X", "status": "DONE"}, ["status"]),
        ({"name": "X", "priority": "high"}, ["priority"]),
        ({"name": "X", "dueDate": "next week"}, ["dueDate"]),
        ({"name": "X", "customFields": {"a": "nul\u0000"}}, ["customFields"]),
        ({"priority": "HIGH"}, ["name"]),
    ],
)
def test_invalid_project_payload_is_400_with_issues(api, payload, path):
    response = api.post(projects_url(), payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid payload"
    assert path in [issue["path"] for issue in body["issues"]]
    assert Project.objects.count() == 0


def test_another_organisations_template_or_team_is_unknown(api, other_organisation):
    template = PipelineTemplate.objects.create(organisation=other_organisation, name="Theirs")
    response = api.post(projects_url(), {"name": "X", "pipelineTemplateId": str(template.pk)}, format="json")
    assert response.status_code == 400
    assert response.json()["issues"][0]["path"] == ["pipelineTemplateId"]


def test_omg_number_of_another_organisation_is_a_conflict_and_writes_nothing(api, other_organisation):
    theirs = ProjectFactory(organisation=other_organisation, name="Their project")
    response = api.post(projects_url(), {"name": "Hijack", "omgJobNumber": theirs.omg_job_number}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]
    theirs.refresh_from_db()
    assert theirs.name == "Their project"


def test_duplicate_project_code_is_409(api):
    existing = ProjectFactory()
    response = api.post(projects_url(), {"name": "Dup", "projectCode": existing.project_code}, format="json")
    assert response.status_code == 409
    assert response.json() == {"error": f"project code {existing.project_code!r} already exists"}


def test_invalid_json_body_is_400(api):
    response = api.generic("POST", projects_url(), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid JSON body"}


def test_read_only_key_cannot_write(make_key):
    _key, secret = make_key(scopes=["projects:read"])
    response = client_for(secret).post(projects_url(), {"name": "X"}, format="json")
    assert response.status_code == 403


def test_custom_fields_with_a_lone_surrogate_are_400_not_a_server_error(api):
    body = '{"name": "X", "customFields": {"note": "\\ud800"}}'
    response = api.generic("POST", projects_url(), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["issues"][0]["path"] == ["customFields"]
    assert Project.objects.count() == 0


def test_json_types_are_strict_like_the_intake_endpoints(api):
    response = api.post(projects_url(), {"name": 42, "outputs": "3", "priority": ["HIGH"]}, format="json")
    assert response.status_code == 400
    assert {tuple(issue["path"]) for issue in response.json()["issues"]} == {("name",), ("outputs",), ("priority",)}


@pytest.mark.parametrize("body", [{"name": "New"}, {"name": "New", "omgJobNumber": "OMG-EV-1"}])
def test_create_emits_one_created_event_and_no_update(api, body, django_capture_on_commit_callbacks):
    seen = []

    def record(name, payload):
        seen.append(name)

    subscribe(ALL_EVENTS, record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(projects_url(), body, format="json")
    finally:
        unsubscribe(ALL_EVENTS, record)
    assert response.status_code == 201
    assert [name for name in seen if name.startswith("project.")] == ["project.created"]
    project = Project.objects.get(pk=int(response.json()["id"]))
    assert project.source == "api"
    assert project.pipeline_template is not None
