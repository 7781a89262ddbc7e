from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api_v1 import views as v1_views
from projects.models import Project
from tests.api_v1.conftest import client_for
from tests.factories import ProjectFactory
from tracker.api.services import idempotency_claim, idempotency_fingerprint
from tracker.models import IdempotencyRecord
from tracker.tasks import retention_prune

pytestmark = pytest.mark.django_db

BODY = {"name": "Q2 launch", "omgJobNumber": "OMG-77"}


def projects_url() -> str:
    return reverse("api_v1:projects")


def post(api, body=None, key="order-123", url=None):
    return api.post(url or projects_url(), body or BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_request_replays_the_first_response_and_writes_nothing(api):
    first = post(api)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    Project.objects.filter(omg_job_number="OMG-77").update(name="Changed since")
    replay = post(api)
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert Project.objects.get(omg_job_number="OMG-77").name == "Changed since"  # not upserted again
    assert Project.objects.count() == 1


def test_replay_of_a_create_without_natural_key_creates_one_project(api):
    body = {"name": "No OMG number"}
    first = post(api, body, key="create-1")
    second = post(api, body, key="create-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] == first.json()["id"]
    assert Project.objects.filter(name="No OMG number").count() == 1
    third = post(api, body, key="create-2")
    assert third.json()["id"] != first.json()["id"]


def test_quoted_and_bare_keys_are_the_same_key(api):
    first = post(api, key="abc-1")
    replay = post(api, key='"abc-1"')
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()


def test_same_key_with_a_different_body_is_422(api):
    post(api)
    response = post(api, {**BODY, "name": "Something else"})
    assert response.status_code == 422
    assert response.json() == {"error": "idempotency key reused with a different request"}


def test_same_key_on_a_different_path_is_422(api):
    project = ProjectFactory()
    post(api, {"name": "Banner"}, key="k")
    url = reverse("api_v1:project-deliverables", kwargs={"project_id": str(project.pk)})
    response = post(api, {"name": "Banner"}, key="k", url=url)
    assert response.status_code == 422


def test_key_in_progress_is_409(api, api_key):
    key, _secret = api_key
    body = b'{"name":"Q2 launch"}'
    fingerprint = idempotency_fingerprint(method="POST", path=projects_url(), body=body)
    idempotency_claim(api_key=key, key="busy", method="POST", path=projects_url(), fingerprint=fingerprint)
    response = api.generic("POST", projects_url(), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert response.json() == {"error": "request with this idempotency key is in progress"}
    assert Project.objects.count() == 0


def test_stale_claim_of_a_crashed_request_is_taken_over(api, api_key):
    key, _secret = api_key
    body = b'{"name":"Q2 launch"}'
    fingerprint = idempotency_fingerprint(method="POST", path=projects_url(), body=body)
    idempotency_claim(api_key=key, key="crashed", method="POST", path=projects_url(), fingerprint=fingerprint)
    IdempotencyRecord.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    response = api.generic(
        "POST", projects_url(), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="crashed"
    )
    assert response.status_code == 201


def test_keys_belong_to_one_api_key(api, make_key):
    _other, other_secret = make_key(name="Another client")
    first = post(api, {"name": "Mine"}, key="shared")
    second = post(client_for(other_secret), {"name": "Theirs"}, key="shared")
    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert Project.objects.count() == 2


def test_server_error_is_not_cached_and_a_retry_runs(api, monkeypatch):
    real = v1_views.project_intake

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(v1_views, "project_intake", broken)
    failed = post(api)
    assert failed.status_code == 500
    assert failed.json() == {"error": "internal error"}
    assert IdempotencyRecord.objects.count() == 0

    monkeypatch.setattr(v1_views, "project_intake", real)
    retried = post(api)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried


def test_client_error_is_stored_and_replayed(api):
    first = post(api, {"name": ""}, key="bad")
    assert first.status_code == 400
    replay = post(api, {"name": ""}, key="bad")
    assert replay.status_code == 400
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()


@pytest.mark.parametrize("value", ["", '""', "x" * 256, '"' + "x" * 256 + '"', "tab\tinside"])
def test_empty_too_long_or_unprintable_key_is_400(api, value):
    response = post(api, key=value)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Idempotency-Key")
    assert Project.objects.count() == 0


def test_key_of_255_characters_is_accepted(api):
    assert post(api, key="k" * 255).status_code == 201


def test_get_ignores_the_header(api):
    response = api.get(projects_url(), HTTP_IDEMPOTENCY_KEY="")
    assert response.status_code == 200


def test_expired_record_runs_the_request_again(api):
    post(api)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = post(api, {**BODY, "name": "Renamed"})
    assert again.status_code == 200
    assert "Idempotent-Replayed" not in again
    assert again.json()["name"] == "Renamed"


def test_records_expire_after_the_ttl_and_the_periodic_task_purges_them(api, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    post(api, key="old")
    post(api, {"name": "Another"}, key="fresh")
    record = IdempotencyRecord.objects.get(key="old")
    assert timedelta(hours=23, minutes=59) < record.expires_at - record.created_at <= timedelta(hours=24)
    IdempotencyRecord.objects.filter(key="old").update(expires_at=timezone.now() - timedelta(minutes=1))
    assert retention_prune.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_purge_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["tracker.retention_prune"]
    assert entry["task"] == retention_prune.name


def test_a_very_long_path_still_gets_idempotency(api):
    url = reverse("api_v1:project-deliverables", kwargs={"project_id": "9" * 600})
    first = post(api, {"name": "Banner"}, key="long-path", url=url)
    replay = post(api, {"name": "Banner"}, key="long-path", url=url)
    assert first.status_code == 404
    assert replay["Idempotent-Replayed"] == "true"
