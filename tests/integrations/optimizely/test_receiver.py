"""The CMP routes' own checks: the Callback-Secret header (missing, wrong, unconfigured, rotated), JSON, the
payload's shape, redelivery by body hash, events ignored but recorded, and the receipt of every call."""

import hashlib
import json

import pytest

from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import ProcessedPayload

from .conftest import TASK_ID, all_fixtures, fixture_bytes, fixture_json, post_cmp


def _receipt() -> WebhookReceipt:
    return WebhookReceipt.objects.latest("id")


@pytest.mark.parametrize(
    ("secret", "message"), [(None, "missing Callback-Secret header"), ("wrong-secret", "invalid Callback-Secret")]
)
def test_a_missing_or_wrong_secret_is_401_and_nothing_is_applied(client, linked, secret, message):
    response = post_cmp(client, "task__due_date_changed", secret=secret)
    assert response.status_code == 401 and response.json() == {"error": message}
    linked.refresh_from_db()
    assert linked.due_date is None
    receipt = _receipt()
    assert (receipt.route, receipt.status_code, receipt.signature_verified) == ("optimizely-task", 401, False)
    assert receipt.outcome == WebhookReceipt.Outcome.REJECTED


def test_an_unconfigured_secret_is_401_naming_the_setting(client, db, settings):
    settings.OPTIMIZELY_CMP_CALLBACK_SECRET = ""
    response = post_cmp(client, "task__step_started", secret="anything")
    assert response.status_code == 401
    assert response.json() == {"error": "OPTIMIZELY_CMP_CALLBACK_SECRET not configured"}


def test_during_a_rotation_both_secrets_are_accepted(client, linked, settings):
    settings.OPTIMIZELY_CMP_CALLBACK_SECRET = "the-new-one"
    settings.OPTIMIZELY_CMP_CALLBACK_SECRET_PREVIOUS = "the-old-one"
    assert post_cmp(client, "task__step_started", secret="the-old-one").status_code == 200
    assert post_cmp(client, "task__step_skipped", secret="the-new-one").status_code == 200
    assert post_cmp(client, "task__assignee_changed", secret="a-third-one").status_code == 401
    settings.OPTIMIZELY_CMP_CALLBACK_SECRET_PREVIOUS = ""
    assert post_cmp(client, "task__due_date_changed", secret="the-old-one").status_code == 401


def test_a_body_that_is_not_json_is_400_after_the_secret(client, db):
    response = post_cmp(client, b'{"event_name": "task_step_started",', route="task")
    assert response.status_code == 400 and response.json() == {"error": "invalid JSON body"}
    assert _receipt().signature_verified is True


def test_a_json_array_is_an_invalid_payload(client, db):
    response = post_cmp(client, b"[]", route="task")
    assert response.status_code == 400 and response.json()["error"] == "invalid payload"


def test_a_known_event_with_a_malformed_field_is_an_invalid_payload(client, linked):
    body = fixture_json("task__asset_added")
    body["asset"]["type"] = "hologram"
    del body["task_id"]
    response = post_cmp(client, body, route="task")
    assert response.status_code == 400
    paths = {tuple(issue["path"]) for issue in response.json()["issues"]}
    assert paths == {("task_id",), ("asset", "type")}
    assert "task_id" in _receipt().error and ProcessedPayload.objects.count() == 0


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("task", {"event_name": "task_comment_added", "task_id": TASK_ID, "timestamp": "2024-06-03T10:00:00Z"}),
        ("task", {"task_id": TASK_ID}),
        ("content", fixture_json("task__step_started")),  # a task event on the content route
        ("task", fixture_json("content__content_published")),  # and the other way round
    ],
)
def test_an_event_not_acted_on_is_200_and_recorded_as_ignored(client, linked, route, body):
    response = post_cmp(client, body, route=route)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    receipt = _receipt()
    assert receipt.outcome == WebhookReceipt.Outcome.IGNORED and receipt.status_code == 200
    assert "not acted on" in receipt.detail


def test_a_redelivery_is_recognised_by_the_body_and_changes_nothing(client, linked):
    first = post_cmp(client, "task__step_skipped")
    history = linked.transitions.count()
    again = post_cmp(client, "task__step_skipped")
    assert first.json()["outcome"] == "applied" and again.json()["outcome"] == "duplicate"
    assert linked.transitions.count() == history
    receipt = _receipt()
    digest = hashlib.sha256(fixture_bytes("task__step_skipped")).hexdigest()
    assert (receipt.outcome, receipt.payload_id) == (WebhookReceipt.Outcome.DUPLICATE, digest)


def test_the_receipt_names_the_event_the_task_and_the_deliverable(client, linked):
    post_cmp(client, "task__due_date_changed")
    receipt = _receipt()
    assert receipt.event == "task_due_date_changed"
    assert receipt.external_key == f"task:{TASK_ID}"
    assert receipt.object_id == str(linked.pk) and receipt.action == "updated"
    assert receipt.outcome == WebhookReceipt.Outcome.ACCEPTED and receipt.signature_verified


def test_the_same_event_with_other_bytes_is_not_a_duplicate_but_changes_nothing_twice(client, linked):
    """CMP resends byte-identical bodies; a body that differs (re-serialised) is a new payload: the step's second
    report is a no-op through the state machine, never a second move."""
    post_cmp(client, "task__step_completed")
    reformatted = json.dumps(fixture_json("task__step_completed"), indent=4).encode()
    response = post_cmp(client, reformatted, route="task")
    assert response.json()["outcome"] == "applied"


@pytest.mark.parametrize("name", all_fixtures())
def test_every_fixture_is_accepted_with_the_secret_and_leaves_a_verified_receipt(client, linked, name, sent_fetches):
    response = post_cmp(client, name)
    assert response.status_code == 200 and response.json()["ok"] is True
    receipt = _receipt()
    route = "optimizely-task" if name.startswith("task__") else "optimizely-content"
    assert (receipt.route, receipt.event, receipt.signature_verified) == (route, fixture_json(name)["event_name"], True)
    assert receipt.payload_id == hashlib.sha256(fixture_bytes(name)).hexdigest()
    # Content fixtures name assets no task added here: recorded and ignored; every task fixture is applied.
    expected = WebhookReceipt.Outcome.IGNORED if name.startswith("content__") else WebhookReceipt.Outcome.ACCEPTED
    assert receipt.outcome == expected
