"""Structured logs: the request id on the answer and in every line of the request and of its tasks; secrets
redacted from `extra`."""

import logging

import pytest
from django.urls import reverse

from tests.conftest import require_broker
from tests.integrations.inbound.conftest import fixture_bytes, post_webhook
from tracker import logging as tracker_logging
from tracker.logging import REDACTED, RedactSecretsFilter, request_id_from_header
from tracker.tasks import ping

pytestmark = pytest.mark.django_db


def test_a_request_gets_a_request_id_on_its_answer(client):
    first = client.get(reverse("login"))
    second = client.get(reverse("login"))
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


@pytest.mark.parametrize(
    "value",
    ["short", "has space in it", 'quote"injection"x', "line\nbreak-forged-log", "x" * 200, "", "-leading-dash"],
)
def test_an_unsafe_incoming_request_id_is_replaced(value):
    replaced = request_id_from_header(value)
    assert replaced != value and len(replaced) == 32


def test_every_line_of_a_webhook_call_is_json_with_its_request_id_and_dotted_event_name(client, json_log):
    body = fixture_bytes("briefs", "brief__created")
    response = post_webhook(client, "briefs", body, HTTP_X_REQUEST_ID="req-webhook-0001")
    assert response.status_code == 200
    lines = json_log.lines()
    assert lines and all(line["request_id"] == "req-webhook-0001" for line in lines)
    [answered] = json_log.named("inbound.webhook_answered")
    assert (answered["route"], answered["status"], answered["level"], answered["logger"]) == (
        "briefs",
        200,
        "INFO",
        "integrations.inbound.receiver",
    )
    assert set(answered) >= {"time", "task_id", "external_key"}


def test_a_task_queued_in_a_request_logs_under_the_request_id(client, json_log, monkeypatch):
    # Eager mode: the task runs in-process, inside the request; its lines carry the request id and its own task id.
    seen = []
    original = ping.run

    def logging_ping(value):
        logging.getLogger("tests.ops").info("ops.ping_ran")
        seen.append(tracker_logging.request_id_var.get())
        return original(value)

    monkeypatch.setattr(ping, "run", logging_ping)
    token = tracker_logging.request_id_var.set("req-eager-000001")
    try:
        assert ping.delay("x").get() == "pong:x"
    finally:
        tracker_logging.request_id_var.reset(token)
    [line] = json_log.named("ops.ping_ran")
    assert seen == ["req-eager-000001"]
    assert line["request_id"] == "req-eager-000001" and line["task_id"] != "-"
    assert tracker_logging.task_id_var.get() is None, "the task's id leaked out of the task"


def test_the_request_id_travels_in_the_message_header_and_is_restored_in_the_worker():
    headers = {}
    token = tracker_logging.request_id_var.set("req-header-00001")
    try:
        tracker_logging.celery_before_task_publish(headers=headers)
    finally:
        tracker_logging.request_id_var.reset(token)
    assert headers == {tracker_logging.HEADER: "req-header-00001"}

    class Task:
        class request:  # noqa: N801 - what Celery's task.request looks like to the handler
            tracker_request_id = "req-header-00001"

    tracker_logging.celery_task_prerun(task_id="t-1", task=Task)
    assert (tracker_logging.request_id_var.get(), tracker_logging.task_id_var.get()) == ("req-header-00001", "t-1")
    tracker_logging.celery_task_postrun(task_id="t-1")
    assert (tracker_logging.request_id_var.get(), tracker_logging.task_id_var.get()) == (None, None)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_a_queued_task_under_the_request_id_that_queued_it(monkeypatch, request):
    require_broker()
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    monkeypatch.setenv("LOG_FORMAT", "json")
    worker = request.getfixturevalue("celery_worker_process")
    token = tracker_logging.request_id_var.set("req-worker-00001")
    try:
        result = ping.apply_async(args=["w"], queue=worker.queue)
    finally:
        tracker_logging.request_id_var.reset(token)
    assert result.get(timeout=60) == "pong:w"
    worker.terminate()
    output, _ = worker.communicate(timeout=20)
    import json

    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    task_lines = [line for line in lines if line.get("task_id") == result.id]
    assert task_lines, output
    assert all(line["request_id"] == "req-worker-00001" for line in task_lines)


def test_the_filter_redacts_secret_keys_in_extra_and_inside_dicts():
    record = logging.makeLogRecord(
        {
            "msg": "outbound.attempt",
            "client_secret": "s3cret",
            "api_key_id": 42,
            "headers": {"Authorization": "Bearer abc", "webhook-signature": "v1,xyz", "Accept": "json"},
            "nested": [{"password": "p"}],
        }
    )
    RedactSecretsFilter().filter(record)
    assert record.client_secret == REDACTED
    assert record.api_key_id == 42
    assert record.headers == {"Authorization": REDACTED, "webhook-signature": REDACTED, "Accept": "json"}
    assert record.nested == [{"password": REDACTED}]


def test_djangos_own_line_for_a_refused_request_carries_the_request_id(client, json_log):
    response = post_webhook(
        client, "briefs", b"{}", signature="sha256=" + "0" * 64, HTTP_X_REQUEST_ID="req-refused-0001"
    )
    assert response.status_code == 401
    [line] = [line for line in json_log.lines() if line["logger"] == "django.request"]
    assert line["request_id"] == "req-refused-0001"
    assert tracker_logging.request_id_var.get() is None, "the id outlived its request"
