"""`GET <base>/metrics`: behind METRICS_TOKEN, and the counters move when the webhooks, outbound deliveries, Box
pushes and Celery tasks do their work."""

import os
import subprocess
import sys
import uuid

import pytest
import redis
from celery import shared_task
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from integrations.outbound.services import outbound_endpoint_create
from tests.conftest import ROOT, require_broker
from tests.factories import UserFactory, default_organisation
from tests.integrations.box.conftest import add_revision, approve
from tests.integrations.box.test_webhook import event, post, signed_headers
from tests.integrations.inbound.conftest import fixture_bytes, post_webhook
from tracker import metrics
from tracker.models import User

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-5b1e"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict:
    """{(name, frozenset(labels)): value} of one scrape."""
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_without_a_token_setting_there_is_no_endpoint(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
def test_a_missing_or_wrong_token_is_refused(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(reverse("metrics"), **extra)
    assert response.status_code == 401
    assert b"tracker_" not in response.content


def test_webhook_calls_are_counted_by_route_and_outcome(client, fake_box, settings):
    before = scrape(client)
    body = fixture_bytes("briefs", "brief__created")
    assert post_webhook(client, "briefs", body).status_code == 200
    assert post_webhook(client, "briefs", body, signature="sha256=" + "0" * 64).status_code == 401
    box_body = event()
    assert post(client, box_body, signed_headers(box_body)).status_code == 200
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    assert post_webhook(client, "omg", b"{}").status_code in (400, 401)
    assert post_webhook(client, "omg", b"{}").status_code == 429
    after = scrape(client)

    def moved(route, outcome):
        name = "tracker_webhooks_total"
        return value(after, name, route=route, outcome=outcome) - value(before, name, route=route, outcome=outcome)

    assert moved("briefs", "accepted") == 1
    assert moved("briefs", "rejected") == 1
    assert moved("box", "accepted") == 1
    assert moved("omg", "rate_limited") == 1


def test_outbound_attempts_are_counted_with_their_latency(
    client, receiver, deliverable, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="ada", role=User.Role.ADMIN)
    outbound_endpoint_create(
        organisation=default_organisation(), actor=admin, url=receiver.url, description="", events=[], all_events=True
    )
    receiver.answer(500)
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)
    after = scrape(client)
    # The approval is two events (status changed, approved): one answered 500 (its retry waits), one 200.
    name = "tracker_outbound_attempts_total"
    assert value(after, name, outcome="failed") - value(before, name, outcome="failed") == 1
    assert (
        value(after, name, outcome="succeeded") - value(before, name, outcome="succeeded") == len(receiver.requests) - 1
    )
    count = "tracker_outbound_attempt_seconds_count"
    assert value(after, count) - value(before, count) == len(receiver.requests)
    assert value(after, "tracker_outbound_attempt_seconds_sum") > value(before, "tracker_outbound_attempt_seconds_sum")


def test_box_pushes_are_counted_by_outcome(client, fake_box, deliverable, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    fake_box.fail_next(1, status=503, path="/2.0/folders")
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)
    after = scrape(client)
    name = "tracker_box_push_attempts_total"
    assert value(after, name, outcome="retry") - value(before, name, outcome="retry") == 1
    assert value(after, name, outcome="sent") - value(before, name, outcome="sent") == 1


@shared_task(name="tests.ops.always_fails")
def always_fails():
    raise RuntimeError("boom")


def test_task_failures_are_counted_by_task(client):
    before = scrape(client)
    always_fails.delay()
    always_fails.delay()
    after = scrape(client)
    name = "tracker_celery_task_failures_total"
    assert value(after, name, task="tests.ops.always_fails") - value(before, name, task="tests.ops.always_fails") == 2


@pytest.mark.redis
def test_the_queue_depth_is_read_from_the_broker_at_scrape_time(client, settings):
    broker = require_broker()
    queue = f"ops-depth-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE = broker, queue
    connection = redis.Redis.from_url(broker)
    try:
        connection.lpush(queue, "a", "b")
        connection.lpush(f"{queue}\x06\x166", "c")  # a priority step's list counts too
        assert value(scrape(client), "tracker_celery_queue_depth", queue=queue) == 3
        connection.delete(queue)
        assert value(scrape(client), "tracker_celery_queue_depth", queue=queue) == 1
    finally:
        connection.delete(queue, f"{queue}\x06\x166")


def test_an_unreachable_broker_leaves_the_depth_out_and_the_scrape_answers(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    samples = scrape(client)
    assert not [key for key in samples if key[0] == "tracker_celery_queue_depth"]


_COUNT_IN_A_PROCESS = """
import sys
from tracker import metrics
for _ in range(int(sys.argv[1])):
    metrics.webhook_answered(route="briefs", status_code=200)
"""


def test_with_a_multiprocess_directory_one_scrape_sums_every_process(tmp_path):
    """What several gunicorn and Celery worker processes on one host do: each counts in its own file."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    for count in (2, 3):
        subprocess.run([sys.executable, "-c", _COUNT_IN_A_PROCESS, str(count)], cwd=ROOT, env=env, check=True)
    render = (
        "import sys; from tracker import metrics; sys.stdout.write(metrics.render(broker_url='', queues=[]).decode())"
    )
    out = subprocess.run(
        [sys.executable, "-c", render], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(out)
        for s in family.samples
    }
    assert value(samples, "tracker_webhooks_total", route="briefs", outcome="accepted") == 5


def test_the_outcome_of_a_webhook_answer():
    assert [metrics.webhook_outcome(code) for code in (200, 204, 400, 401, 413, 429, 500, 503)] == [
        "accepted",
        "accepted",
        "rejected",
        "rejected",
        "rejected",
        "rate_limited",
        "failed",
        "failed",
    ]
