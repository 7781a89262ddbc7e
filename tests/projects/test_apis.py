"""POST /api/projects: the REST twin of the OMG webhook (PROJECT_CREATE), upserting on omgJobNumber."""

import json
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from projects.models import Project
from tests.factories import ClientTeamFactory, ProjectFactory, UserFactory
from tracker.models import ClientTeam, Organisation, User

pytestmark = pytest.mark.django_db

GUIDE_BODY = {
    "projectCode": "DJ-2026-0042",
    "name": "Q2 Launch Homepage",
    "status": "ACTIVE",
    "priority": "HIGH",
    "omgJobNumber": "OMG-12345",
    "businessUnit": "Display",
    "description": "...",
    "startDate": "2026-04-20",
    "dueDate": "2026-05-15",
    "requestor": "alex.smith@dowjones.com",
}


def url() -> str:
    return reverse("projects_api:create")


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url(), data=data, content_type=content_type)


def test_the_url_is_under_the_base_path():
    assert url() == "/loreal-prod-tracker/api/projects"


def test_a_producer_creates_a_project_from_the_guides_body(csrf_client, producer):
    events = ClientTeam.objects.get(slug="events")
    response = post(csrf_client(producer), GUIDE_BODY | {"clientTeamId": str(events.pk)})
    assert response.status_code == 200
    project = Project.objects.get()
    assert response.json() == {"ok": True, "projectId": str(project.pk), "action": "created"}
    assert (project.project_code, project.name, project.status, project.priority) == (
        "DJ-2026-0042",
        "Q2 Launch Homepage",
        "ACTIVE",
        "HIGH",
    )
    assert (project.omg_job_number, project.business_unit, project.description) == ("OMG-12345", "Display", "...")
    assert (project.start_date, project.due_date) == (date(2026, 4, 20), date(2026, 5, 15))
    assert (project.requestor, project.client_team) == ("alex.smith@dowjones.com", events)
    assert project.organisation == producer.organisation


def test_client_team_id_may_be_a_number(csrf_client, producer):
    team = ClientTeam.objects.get(slug="b2b")
    post(csrf_client(producer), GUIDE_BODY | {"clientTeamId": team.pk})
    assert Project.objects.get().client_team == team


@pytest.mark.parametrize("team_id", ["999999", 999999, "events", "12abc", 10**30])
def test_an_unknown_client_team_id_is_an_invalid_payload(csrf_client, producer, team_id):
    response = post(csrf_client(producer), GUIDE_BODY | {"clientTeamId": team_id})
    assert response.status_code == 400
    assert response.json()["issues"] == [{"path": ["clientTeamId"], "message": "Unknown client team."}]


def test_another_organisations_team_is_unknown(csrf_client, producer):
    other = Organisation.objects.create(name="Other", slug="other")
    team = ClientTeamFactory(organisation=other)
    response = post(csrf_client(producer), GUIDE_BODY | {"clientTeamId": team.pk})
    assert response.status_code == 400


def test_datetimes_are_taken_as_dates(csrf_client, producer):
    post(csrf_client(producer), GUIDE_BODY | {"startDate": "2026-04-20T09:00:00Z", "dueDate": "2026-05-15T17:00:00Z"})
    project = Project.objects.get()
    assert (project.start_date, project.due_date) == (date(2026, 4, 20), date(2026, 5, 15))


def test_with_an_omg_job_number_it_upserts_like_the_webhook(csrf_client, producer):
    existing = ProjectFactory(omg_job_number="OMG-12345", name="From OMG", project_code="PRJ-2026-AAAAAA")
    response = post(csrf_client(producer), GUIDE_BODY)
    assert response.json() == {"ok": True, "projectId": str(existing.pk), "action": "updated"}
    existing.refresh_from_db()
    assert existing.name == "Q2 Launch Homepage"
    assert existing.project_code == "PRJ-2026-AAAAAA"  # a project keeps its code
    assert Project.objects.count() == 1


def test_a_replay_with_the_same_omg_job_number_is_an_update(csrf_client, producer):
    client = csrf_client(producer)
    first = post(client, GUIDE_BODY).json()
    second = post(client, GUIDE_BODY | {"status": "ON_HOLD"}).json()
    assert second == {"ok": True, "projectId": first["projectId"], "action": "updated"}
    project = Project.objects.get()
    assert project.status == "ON_HOLD"
    assert project.business_unit == "Display"


def test_an_update_that_omits_optional_fields_keeps_the_stored_values(csrf_client, producer):
    client = csrf_client(producer)
    post(client, GUIDE_BODY)
    required_only = {key: GUIDE_BODY[key] for key in ("projectCode", "name", "status", "priority", "omgJobNumber")}
    post(client, required_only | {"name": "Renamed"})
    project = Project.objects.get()
    assert project.name == "Renamed"
    assert (project.business_unit, project.requestor, project.due_date) == (
        "Display",
        "alex.smith@dowjones.com",
        date(2026, 5, 15),
    )


def test_without_an_omg_job_number_a_duplicate_project_code_is_a_json_409(csrf_client, producer):
    client = csrf_client(producer)
    body = {key: value for key, value in GUIDE_BODY.items() if key != "omgJobNumber"}
    assert post(client, body).status_code == 200
    response = post(client, body)
    assert response.status_code == 409
    assert response.json() == {"error": "project code 'DJ-2026-0042' already exists"}
    assert Project.objects.count() == 1


def test_a_new_omg_job_number_with_a_taken_project_code_is_a_409(csrf_client, producer):
    ProjectFactory(project_code="DJ-2026-0042", omg_job_number="OMG-1")
    response = post(csrf_client(producer), GUIDE_BODY)
    assert response.status_code == 409
    assert response.json() == {"error": "project code 'DJ-2026-0042' already exists"}


def test_a_project_created_without_an_omg_number_is_owned_by_its_creator(csrf_client, producer):
    post(csrf_client(producer), {k: v for k, v in GUIDE_BODY.items() if k != "omgJobNumber"})
    project = Project.objects.get()
    assert (project.owner, project.source, project.omg_job_number) == (producer, "rest", None)


@pytest.mark.parametrize("missing", ["projectCode", "name", "status", "priority"])
def test_required_fields(csrf_client, producer, missing):
    body = {key: value for key, value in GUIDE_BODY.items() if key != missing}
    response = post(csrf_client(producer), body)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid payload",
        "issues": [{"path": [missing], "message": "This field is required."}],
    }


@pytest.mark.parametrize("status", ["PIPELINE", "ACTIVE", "ON_HOLD", "COMPLETED", "CANCELED", "ARCHIVED"])
def test_every_status_of_the_guide(csrf_client, producer, status):
    assert post(csrf_client(producer), GUIDE_BODY | {"status": status}).status_code == 200
    assert Project.objects.get().status == status


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("projectCode", 42),
        ("projectCode", ""),
        ("name", None),
        ("status", "active"),
        ("status", "In Production"),
        ("priority", "high"),
        ("priority", 3),
        ("omgJobNumber", []),
        ("clientTeamId", True),
        ("clientTeamId", 1.5),
        ("businessUnit", 7),
        ("startDate", "20th April"),
        ("dueDate", 20260515),
        ("outputs", -1),
        ("outputs", "3"),
        ("outputs", 10**20),
        ("requestor", {"email": "x"}),
        ("customFields", "x"),
    ],
)
def test_wrong_types_are_invalid_payloads(csrf_client, producer, field, value):
    response = post(csrf_client(producer), GUIDE_BODY | {field: value})
    assert response.status_code == 400
    assert [issue["path"] for issue in response.json()["issues"]] == [[field]]
    assert Project.objects.count() == 0


def test_anonymous_gets_a_json_401(csrf_client):
    response = post(csrf_client(None), GUIDE_BODY)
    assert (response.status_code, response.json()) == (401, {"error": "authentication required"})


@pytest.mark.parametrize("role", [User.Role.REVIEWER, User.Role.VIEWER])
def test_a_role_without_project_create_gets_a_json_403(csrf_client, role):
    response = post(csrf_client(UserFactory(role=role)), GUIDE_BODY)
    assert (response.status_code, response.json()) == (403, {"error": "permission denied"})


def test_a_session_without_the_csrf_token_is_refused(csrf_client, producer):
    assert post(csrf_client(producer, csrf=False), GUIDE_BODY).status_code == 403
    assert Project.objects.count() == 0


@pytest.mark.parametrize("body", [b"garbage", b"[]", b"null", b"1e999", b"{" * 10, b"[" * 50_000])
def test_garbage_bodies_get_json_400s(csrf_client, producer, body):
    response = post(csrf_client(producer), body)
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid JSON body", "invalid payload")


def test_get_is_a_json_405(csrf_client, producer):
    response = csrf_client(producer).get(url())
    assert (response.status_code, response.json()) == (405, {"error": "method not allowed"})


@pytest.fixture
def project_inserts_fail():
    """A database trigger refusing new projects: a real failure inside the service, not a mock."""
    table = Project._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_project() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'projects are frozen'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_project BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_project()"
            )
        else:
            # Not RAISE(): SQLite reports that as a constraint violation, which the service rightly treats as a
            # conflict. A write to a table that is not there is an operational failure, like a lost database.
            cursor.execute(
                f"CREATE TRIGGER refuse_project BEFORE INSERT ON {table} "
                "BEGIN INSERT INTO projects_are_frozen VALUES (1); END"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER refuse_project{f' ON {table}' if connection.vendor == 'postgresql' else ''}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION refuse_project()")


def test_an_unexpected_database_failure_is_upsert_failed_with_a_reference(
    csrf_client, producer, project_inserts_fail, caplog
):
    body = {key: value for key, value in GUIDE_BODY.items() if key != "omgJobNumber"}
    response = post(csrf_client(producer), body)
    assert response.status_code == 500
    assert response.json()["error"] == "upsert failed"
    # The caller gets a reference to quote; the database's words stay in the log under that reference.
    reference = response.json()["detail"].removeprefix("reference ")
    frozen = "projects are frozen" if connection.vendor == "postgresql" else "projects_are_frozen"
    assert frozen not in response.content.decode()
    assert any(reference in r.detail and frozen in r.detail for r in caplog.records if hasattr(r, "detail"))
    assert Project.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_documented_curl_session_flow_creates_a_project_on_the_real_server(live_server, settings):
    """docs/INTEGRATION_GUIDE.md's curl steps: sign in, pick up the CSRF token, POST /api/projects."""
    import shutil
    import subprocess

    assert shutil.which("curl")
    # The real server here speaks plain HTTP; production cookies are Secure and only travel over HTTPS.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="priya-curl", role=User.Role.PRODUCER)
    script = """
set -euo pipefail
JAR=$(mktemp)
curl -s -c "$JAR" -b "$JAR" "$BASE/login/" -o /dev/null
CSRF=$(awk '$6 == "csrftoken" {print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" -X POST "$BASE/login/" -H "Referer: $BASE/login/" \
  --data-urlencode "username=priya-curl" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrfmiddlewaretoken=$CSRF" -o /dev/null
CSRF=$(awk '$6 == "csrftoken" {print $7}' "$JAR")
curl -s -b "$JAR" -X POST "$BASE/api/projects" -H "Content-Type: application/json" \
  -H "X-CSRFToken: $CSRF" -H "Referer: $BASE/" \
  -d "$BODY"
"""
    result = subprocess.run(
        ["bash", "-c", script],
        env={
            "PATH": "/usr/bin:/bin",
            "BASE": live_server.url + settings.TRACKER_BASE_PATH,
            "PASSWORD": "pass-for-tests-1",
            "BODY": json.dumps(GUIDE_BODY),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    project = Project.objects.get(omg_job_number="OMG-12345")
    assert project.project_code == "DJ-2026-0042"
    assert result.stdout == f'{{"ok":true,"projectId":"{project.pk}","action":"created"}}', result.stderr
