"""POST /api/projects/:projectId/deliverables: the REST twin of the deliverables webhook (DELIVERABLE_CREATE)."""

import json
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from deliverables.models import Deliverable, Stage
from tests.factories import ProjectFactory, UserFactory
from tracker.models import Organisation, User

pytestmark = pytest.mark.django_db

GUIDE_BODY = {
    "name": "Homepage desktop hero — variant A",
    "priority": "HIGH",
    "dueDate": "2026-05-10",
    "notes": "...",
    "cmfSku": "CMF-8829-A",
    "assetCount": 5,
}


def url(project_id) -> str:
    return reverse("deliverables_api:create", args=[project_id])


def post(client, project_id, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url(project_id), data=data, content_type=content_type)


@pytest.fixture
def project(db):
    return ProjectFactory(omg_job_number="OMG-12345")


def test_the_url_is_under_the_base_path_and_nested_under_the_project():
    assert url(42) == "/loreal-prod-tracker/api/projects/42/deliverables"


def test_a_producer_creates_a_deliverable_with_its_stages(csrf_client, producer, project):
    response = post(csrf_client(producer), project.pk, GUIDE_BODY)
    assert response.status_code == 200
    deliverable = Deliverable.objects.get()
    assert response.json() == {"ok": True, "deliverableId": str(deliverable.pk), "action": "created"}
    assert deliverable.project == project
    assert (deliverable.name, deliverable.priority, deliverable.due_date) == (
        GUIDE_BODY["name"],
        "HIGH",
        date(2026, 5, 10),
    )
    assert (deliverable.notes, deliverable.cmf_sku, deliverable.asset_count) == ("...", "CMF-8829-A", 5)
    assert deliverable.stages.count() == 11


def test_the_same_name_updates_the_deliverable_and_keeps_omitted_fields(csrf_client, producer, project):
    client = csrf_client(producer)
    first = post(client, project.pk, GUIDE_BODY).json()
    second = post(client, project.pk, {"name": GUIDE_BODY["name"], "priority": "URGENT"}).json()
    assert second == {"ok": True, "deliverableId": first["deliverableId"], "action": "updated"}
    deliverable = Deliverable.objects.get()
    assert (deliverable.priority, deliverable.cmf_sku, deliverable.asset_count) == ("URGENT", "CMF-8829-A", 5)
    assert deliverable.stages.count() == 11


def test_a_status_may_be_set_and_goes_through_the_status_service(csrf_client, producer, project):
    post(csrf_client(producer), project.pk, GUIDE_BODY | {"status": "ON_HOLD"})
    assert Deliverable.objects.get().status == "ON_HOLD"


@pytest.mark.parametrize("project_id", [999_999, 10**30])
def test_an_unknown_project_is_a_json_404(csrf_client, producer, project_id):
    response = post(csrf_client(producer), project_id, GUIDE_BODY)
    assert (response.status_code, response.json()) == (404, {"error": "project not found"})


def test_another_organisations_project_is_not_found(csrf_client, producer):
    other = ProjectFactory(organisation=Organisation.objects.create(name="Other", slug="other"))
    response = post(csrf_client(producer), other.pk, GUIDE_BODY)
    assert (response.status_code, response.json()) == (404, {"error": "project not found"})


def test_a_non_numeric_project_id_is_a_json_404(csrf_client, producer):
    response = csrf_client(producer).post(
        "/loreal-prod-tracker/api/projects/abc/deliverables", data="{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


@pytest.mark.parametrize("missing", ["name", "priority"])
def test_required_fields(csrf_client, producer, project, missing):
    body = {key: value for key, value in GUIDE_BODY.items() if key != missing}
    response = post(csrf_client(producer), project.pk, body)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid payload",
        "issues": [{"path": [missing], "message": "This field is required."}],
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 1),
        ("name", ""),
        ("priority", "high"),
        ("priority", None),
        ("status", "DONE"),
        ("dueDate", "soon"),
        ("dueDate", 1),
        ("notes", []),
        ("cmfSku", 8829),
        ("assetCount", "5"),
        ("assetCount", -1),
        ("assetCount", True),
        ("assetCount", 2**40),
    ],
)
def test_wrong_types_are_invalid_payloads(csrf_client, producer, project, field, value):
    response = post(csrf_client(producer), project.pk, GUIDE_BODY | {field: value})
    assert response.status_code == 400
    assert [issue["path"] for issue in response.json()["issues"]] == [[field]]
    assert Deliverable.objects.count() == 0


def test_a_number_too_large_for_a_double_is_an_invalid_asset_count(csrf_client, producer, project):
    response = post(csrf_client(producer), project.pk, b'{"name": "x", "priority": "HIGH", "assetCount": 1e999}')
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["assetCount"], "message": "Must be a whole number."}]


def test_anonymous_gets_a_json_401(csrf_client, project):
    response = post(csrf_client(None), project.pk, GUIDE_BODY)
    assert (response.status_code, response.json()) == (401, {"error": "authentication required"})


@pytest.mark.parametrize("role", [User.Role.REVIEWER, User.Role.VIEWER])
def test_a_role_without_deliverable_create_gets_a_json_403(csrf_client, project, role):
    response = post(csrf_client(UserFactory(role=role)), project.pk, GUIDE_BODY)
    assert (response.status_code, response.json()) == (403, {"error": "permission denied"})


def test_permission_is_checked_before_the_project_is_looked_up(csrf_client):
    response = post(csrf_client(UserFactory(role=User.Role.VIEWER)), 999_999, GUIDE_BODY)
    assert response.status_code == 403


def test_a_session_without_the_csrf_token_is_refused(csrf_client, producer, project):
    assert post(csrf_client(producer, csrf=False), project.pk, GUIDE_BODY).status_code == 403


@pytest.mark.parametrize("body", [b"garbage", b"[]", b"null", b'"x"', b"[" * 50_000])
def test_garbage_bodies_get_json_400s(csrf_client, producer, project, body):
    response = post(csrf_client(producer), project.pk, body)
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid JSON body", "invalid payload")


def test_a_form_body_is_a_json_415(csrf_client, producer, project):
    response = post(csrf_client(producer), project.pk, "name=x", content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.json()) == (415, {"error": "unsupported media type"})


def test_get_is_a_json_405(csrf_client, producer, project):
    response = csrf_client(producer).get(url(project.pk))
    assert (response.status_code, response.json()) == (405, {"error": "method not allowed"})


def test_a_database_failure_is_upsert_failed_and_rolled_back(csrf_client, producer, project, caplog):
    table = Stage._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_stage() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'stages are frozen'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_stage BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_stage()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_stage BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'stages are frozen'); END"
            )
    response = post(csrf_client(producer), project.pk, GUIDE_BODY)
    assert response.status_code == 500
    assert response.json()["error"] == "upsert failed"
    # The caller gets a reference to quote; the database's words stay in the log under that reference.
    reference = response.json()["detail"].removeprefix("reference ")
    assert "frozen" not in response.content.decode()
    logged = [r.detail for r in caplog.records if hasattr(r, "detail")]
    assert any(reference in detail and "stages are frozen" in detail for detail in logged)
    assert Deliverable.objects.count() == 0
