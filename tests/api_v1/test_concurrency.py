"""Idempotency-Key under real concurrency: parallel HTTP requests against a live server on Postgres."""

import json
import threading
import time

import pytest
import requests
from django.urls import reverse

from api_v1 import views as v1_views
from projects.models import Project
from tests.conftest import require_postgres
from tracker.api.services import api_key_create
from tracker.models import IdempotencyRecord, Organisation

PARALLEL = 10


def _fire(url: str, secret: str, body: dict, key: str) -> list[requests.Response]:
    barrier = threading.Barrier(PARALLEL)
    answers: list = [None] * PARALLEL

    def one(index: int) -> None:
        barrier.wait()
        answers[index] = requests.post(
            url,
            data=json.dumps(body),
            headers={
                "Authorization": f"Bearer {secret}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
            timeout=30,
        )

    threads = [threading.Thread(target=one, args=(index,)) for index in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _secret() -> str:
    organisation = Organisation.objects.get(slug="default")
    return api_key_create(organisation=organisation, name="Parallel client", scopes=["projects:write"])[1]


def _assert_one_outcome(answers: list[requests.Response]) -> None:
    originals = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(originals) == 1, [a.status_code for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json() == {"error": "request with this idempotency key is in progress"}
        else:
            assert answer.status_code == 201
            assert answer.json() == originals[0].json()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_posts_with_one_key_create_one_project(live_server):
    require_postgres()
    url = live_server.url + reverse("api_v1:projects")
    answers = _fire(url, _secret(), {"name": "Parallel launch"}, key="parallel-1")
    _assert_one_outcome(answers)
    assert Project.objects.filter(name="Parallel launch").count() == 1
    assert IdempotencyRecord.objects.get(key="parallel-1").state == IdempotencyRecord.State.COMPLETED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_arriving_while_the_first_runs_get_409(live_server, monkeypatch):
    require_postgres()
    real = v1_views.project_intake

    def slow(**kwargs):
        time.sleep(0.5)  # keep the first request in flight while the others arrive
        return real(**kwargs)

    monkeypatch.setattr(v1_views, "project_intake", slow)
    url = live_server.url + reverse("api_v1:projects")
    answers = _fire(url, _secret(), {"name": "Slow launch", "omgJobNumber": "OMG-PAR-1"}, key="parallel-2")
    _assert_one_outcome(answers)
    assert sum(a.status_code == 409 for a in answers) >= 1
    assert Project.objects.filter(omg_job_number="OMG-PAR-1").count() == 1
