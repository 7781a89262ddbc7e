"""The cases a probe found on the signed webhooks, each through its public path: out-of-range dates, runaway lists
and nesting, unbounded error answers, and internal detail in an "upsert failed"."""

import json

import pytest

from briefs.models import Brief
from deliverables.models import Deliverable
from integrations.inbound.models import WebhookReceipt
from projects.models import Project
from tracker.api.errors import MAX_ISSUES, MAX_MESSAGE_LENGTH

from .conftest import fixture_json, post_webhook

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01", "9999-12-31"]
RANGE_MESSAGE = "Must be between 1900-01-01 and 2999-12-31."


def only_receipt() -> WebhookReceipt:
    [receipt] = WebhookReceipt.objects.all()
    return receipt


def assert_refused_on(response, path: list, message: str = RANGE_MESSAGE):
    assert response.status_code == 400, response.content
    assert response.json() == {"error": "invalid payload", "issues": [{"path": path, "message": message}]}
    receipt = only_receipt()
    assert (receipt.status_code, receipt.outcome) == (400, "REJECTED")
    assert receipt.error == f"invalid payload: {'.'.join(map(str, path))}: {message}"


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["accepted", "externalDeadline"])
def test_an_omg_date_out_of_range_is_an_invalid_payload_on_its_path(client, field, value):
    body = fixture_json("omg", "job__updated")
    body["job"]["dates"] = {field: value}
    assert_refused_on(post_webhook(client, "omg", body), ["job", "dates", field])
    assert Project.objects.count() == 0


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_deliverable_due_date_out_of_range_is_an_invalid_payload_on_its_path(client, omg_project, value):
    body = fixture_json("deliverables", "deliverable__updated")
    body["deliverable"]["dueDate"] = value
    assert_refused_on(post_webhook(client, "deliverables", body), ["deliverable", "dueDate"])
    assert Deliverable.objects.count() == 0


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_brief_due_date_out_of_range_is_an_invalid_payload_on_its_path(client, value):
    body = fixture_json("briefs", "brief__created")
    body["requestedDueDate"] = value
    assert_refused_on(post_webhook(client, "briefs", body), ["requestedDueDate"])
    assert Brief.objects.count() == 0


@pytest.mark.parametrize("route", ["omg", "deliverables"])
def test_an_event_timestamp_out_of_range_is_refused_too(client, omg_project, route):
    body = fixture_json(
        *{"omg": ("omg", "job__updated"), "deliverables": ("deliverables", "deliverable__updated")}[route]
    )
    body["timestamp"] = "9999-12-31T23:59:59-05:00"
    assert_refused_on(post_webhook(client, route, body), ["timestamp"])


def test_dates_at_the_edges_of_the_range_are_taken(client):
    body = fixture_json("omg", "job__updated")
    body["job"]["dates"] = {"accepted": "1900-01-01", "externalDeadline": "2999-12-31T12:00:00Z"}
    assert post_webhook(client, "omg", body).status_code == 200
    project = Project.objects.get()
    assert (project.start_date.isoformat(), project.due_date.isoformat()) == ("1900-01-01", "2999-12-31")


def test_a_list_far_over_its_limit_is_refused_before_any_item_is_checked(client):
    """210,000 assignees (420 KB, signed) held a web worker until it was killed; now one len() refuses them."""
    body = fixture_json("omg", "job__updated")
    body["job"]["assignees"] = [0] * 210_000
    raw = json.dumps(body, separators=(",", ":"))
    assert len(raw) > 420_000
    response = post_webhook(client, "omg", raw)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid payload",
        "issues": [{"path": ["job", "assignees"], "message": "Ensure this field has no more than 500 elements."}],
    }
    assert only_receipt().status_code == 400 and Project.objects.count() == 0


def test_an_error_answer_is_bounded_however_many_issues_the_body_has(client):
    """300 KB of bad items used to cost 27 s of CPU and a 14.6 MB answer."""
    body = fixture_json("omg", "job__updated")
    body["job"]["assignees"] = [{"email": 1, "role": ["x" * 500]}] * 500
    body["job"]["priority"] = "p" * 200_000
    response = post_webhook(client, "omg", body)
    assert response.status_code == 400
    data = response.json()
    assert len(data["issues"]) == MAX_ISSUES and data["issueCount"] == 1001
    assert all(len(issue["message"]) <= MAX_MESSAGE_LENGTH for issue in data["issues"])
    assert len(response.content) < 5_000
    assert len(only_receipt().error) <= 2000


@pytest.mark.parametrize("route", ["briefs", "omg", "deliverables"])
def test_json_nested_far_too_deep_is_an_invalid_json_body(client, route):
    for depth in (100_000, 65):
        response = post_webhook(client, route, "[" * depth + "]" * depth)
        assert (response.status_code, response.json()) == (400, {"error": "invalid JSON body"})
    assert WebhookReceipt.objects.filter(status_code=400).count() == 2


def test_a_payload_within_the_nesting_limit_still_reads(client):
    body = fixture_json("briefs", "brief__created")
    body["rawPayload"] = {"a": [[[[{"b": 1}]]]]}
    assert post_webhook(client, "briefs", body).status_code == 200


def test_a_value_no_utf8_can_carry_is_quoted_back_escaped(client, omg_project):
    body = fixture_json("deliverables", "deliverable__updated")
    body["deliverable"]["priority"] = "lone \ud800 surrogate"
    response = post_webhook(client, "deliverables", body)
    assert response.status_code == 400
    assert response.json()["issues"][0]["message"] == '"lone \\ud800 surrogate" is not a valid choice.'
    assert only_receipt().status_code == 400
