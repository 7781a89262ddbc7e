"""No input yields an HTML page or a traceback: wrong types for every field, odd numbers, huge bodies."""

import json

import pytest

from briefs.models import Brief
from deliverables.models import Deliverable
from projects.models import Project

from .conftest import fixture_json, post_webhook

pytestmark = pytest.mark.django_db

WRONG_VALUES = {
    "briefs": {
        ("externalId",): [[], {}, True, 1.5, ""],
        ("title",): [123, [], {}, True, None, "", "x" * 501, "nul\x00char"],
        ("description",): [1, [], {}, False],
        ("requestorName",): [1, [], {}, True, "x" * 256],
        ("requestorEmail",): [1, "not-an-email", True, []],
        ("priority",): ["high", "Urgent", 1, [], None],
        ("requestedDueDate",): ["tomorrow", 20260515, [], True, "2026-13-45", "2026-02-30T10:00:00Z"],
        ("clientTeamSlug",): [1, [], {}, True],
        ("system",): [1, [], {}, "x" * 101],
        ("rawPayload",): ["x", [], 1, True],
    },
    "omg": {
        ("job",): ["x", [], 1, None],
        ("job", "number"): [[], {}, True, 1.5, None, "", "x" * 65],
        ("job", "name"): [1, [], "", None],
        ("job", "client"): [1, [], "x" * 201],
        ("job", "team"): [1, [], {}],
        ("job", "category"): [1, {}, True],
        ("job", "priority"): ["urgent", 1, None, []],
        ("job", "status"): [1, [], None, True],
        ("job", "outputs"): ["3", -1, 1.5, True, 10**12, []],
        ("job", "notes"): [1, {}],
        ("job", "assignees"): ["a", {}, [1], [{"email": 1}], 5],
        ("job", "dates"): ["x", [], {"accepted": "soon"}, {"externalDeadline": 5}],
        ("raw",): ["x", [1], 3],
        ("event",): [1, {"name": "job.deleted"}, []],
        ("timestamp",): ["yesterday", 5, {}],
    },
    "deliverables": {
        ("deliverable",): ["x", [], None, 1],
        ("deliverable", "projectOmgJobNumber"): [[], True, None, "", 1.5],
        ("deliverable", "name"): [1, "", None, [], "x" * 501],
        ("deliverable", "priority"): ["high", 1, None],
        ("deliverable", "status"): ["DONE", 1, [], "in_progress"],
        ("deliverable", "dueDate"): ["soon", 1, [], "2026-99-01"],
        ("deliverable", "notes"): [1, []],
        ("deliverable", "cmfSku"): [1, [], "x" * 121],
        ("deliverable", "assetCount"): ["5", -1, True, 2**31, 1.5, {}],
        ("raw",): ["x", [], 0],
        ("event",): [1, {}],
        ("timestamp",): ["x", 1],
    },
}

VALID = {
    "briefs": lambda: fixture_json("briefs", "brief__created"),
    "omg": lambda: fixture_json("omg", "job__updated"),
    "deliverables": lambda: fixture_json("deliverables", "deliverable__updated"),
}

CASES = [
    pytest.param(route, path, value, id=f"{route}-{'.'.join(path)}-{json.dumps(value)[:20]}")
    for route, fields in WRONG_VALUES.items()
    for path, values in fields.items()
    for value in values
]


def with_value(body: dict, path: tuple, value) -> dict:
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(("route", "path", "value"), CASES)
def test_a_wrong_type_or_value_in_any_field_is_an_invalid_payload_naming_it(client, omg_project, route, path, value):
    response = post_webhook(client, route, with_value(VALID[route](), path, value))
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["error"] == "invalid payload"
    assert any(issue["path"][: len(path)] == list(path) for issue in data["issues"]), data
    assert Brief.objects.count() == 0 and Deliverable.objects.count() == 0
    assert not Project.objects.exclude(pk=omg_project.pk).exists()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "t", "rawPayload": {"n": 1e999}}',
        b'{"title": "t", "rawPayload": {"n": -1e400}}',
        b'{"title": "t", "rawPayload": {"s": "nul \\u0000 inside"}}',
        b'{"title": "t", "rawPayload": {"nul\\u0000key": 1}}',
        b'{"title": "t", "rawPayload": ' + b'{"a":' * 40 + b"1" + b"}" * 40 + b"}",
        b'{"title": "t", "requestedDueDate": "' + b"9" * 5000 + b'"}',
    ],
)
def test_numbers_strings_and_nesting_no_database_could_store_are_invalid_payloads(client, raw):
    response = post_webhook(client, "briefs", raw)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid payload"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "t", "rawPayload": {"n": NaN}}',
        b'{"title": "t", "rawPayload": {"n": Infinity}}',
        b'{"title": "t", "rawPayload": {"n": ' + b"9" * 5000 + b"}}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    ],
)
def test_what_json_cannot_hold_or_python_will_not_decode_is_invalid_json(client, raw):
    response = post_webhook(client, "briefs", raw)
    assert (response.status_code, response.json()) == (400, {"error": "invalid JSON body"})


def test_huge_but_finite_numbers_in_raw_pass_through(client):
    response = post_webhook(client, "briefs", b'{"title": "t", "rawPayload": {"big": 123456789012345678901234567890}}')
    assert response.status_code == 200
    assert Brief.objects.get().raw_payload == {"big": 123456789012345678901234567890}


def test_unknown_keys_are_ignored(client):
    response = post_webhook(client, "briefs", {"title": "t", "colour": "blue", "id": 99, "status": "ACCEPTED"})
    assert response.status_code == 200
    assert Brief.objects.get().status == "PENDING"


# --- body size ------------------------------------------------------------------------------------------------

TOO_LARGE = {"error": "payload too large", "maxBytes": 1024 * 1024}


def test_a_body_of_exactly_the_limit_is_read(client):
    body = b'{"title": "' + b"x" * (1024 * 1024 - 13) + b'"}'
    assert len(body) == 1024 * 1024
    response = post_webhook(client, "briefs", body)
    assert response.status_code == 400  # read, verified, parsed: the title is too long
    assert response.json()["issues"][0]["path"] == ["title"]


def test_a_body_one_byte_over_the_limit_is_a_json_413(client):
    body = b'{"title": "' + b"x" * (1024 * 1024 - 12) + b'"}'
    response = post_webhook(client, "briefs", body)
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_a_body_over_djangos_own_upload_limit_is_still_a_json_413_not_an_html_400(client):
    body = b" " * (6 * 1024 * 1024)
    response = post_webhook(client, "briefs", body, sign=False)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == TOO_LARGE


def test_the_size_check_comes_before_the_signature_check(client):
    response = post_webhook(client, "omg", b"x" * (1024 * 1024 + 1), sign=False)
    assert response.status_code == 413


def test_a_limit_above_djangos_upload_limit_still_answers_413_json(client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 10 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_webhook(client, "briefs", {"title": "x" * 2000})
    assert response.status_code == 413
    assert response.json() == {"error": "payload too large", "maxBytes": 10 * 1024 * 1024}


def test_the_body_limit_is_a_setting(client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 64
    assert post_webhook(client, "briefs", {"title": "short"}).status_code == 200
    assert post_webhook(client, "briefs", {"title": "x" * 100}).status_code == 413


UNSTORABLE = ["lone \ud800 surrogate", "nul \x00 char"]


@pytest.mark.parametrize("text", UNSTORABLE)
@pytest.mark.parametrize(
    ("route", "path"),
    [
        ("briefs", ("externalId",)),
        ("briefs", ("title",)),
        ("briefs", ("description",)),
        ("briefs", ("requestorEmail",)),
        ("briefs", ("clientTeamSlug",)),
        ("briefs", ("system",)),
        ("briefs", ("rawPayload", "campaignId")),
        ("omg", ("job", "number")),
        ("omg", ("job", "name")),
        ("omg", ("job", "team")),
        ("omg", ("job", "notes")),
        ("omg", ("job", "assignees", 0, "email")),
        ("omg", ("raw", "costCenter")),
        ("deliverables", ("deliverable", "projectOmgJobNumber")),
        ("deliverables", ("deliverable", "name")),
        ("deliverables", ("deliverable", "cmfSku")),
        ("deliverables", ("raw", "figmaFrameId")),
    ],
)
def test_text_no_database_can_store_is_an_invalid_payload_in_every_text_field(client, omg_project, route, path, text):
    response = post_webhook(client, route, with_value(VALID[route](), path, text))
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["error"] == "invalid payload"
    # The issue names the field, or the pass-through object holding the text.
    assert any(issue["path"] and list(path)[: len(issue["path"])] == issue["path"] for issue in data["issues"]), data


@pytest.mark.parametrize("text", UNSTORABLE)
def test_an_unstorable_key_in_a_pass_through_object_is_an_invalid_payload(client, text):
    response = post_webhook(client, "briefs", {"title": "t", "rawPayload": {text: 1}})
    assert response.status_code == 400
    assert response.json()["issues"][0]["path"] == ["rawPayload"]


@pytest.mark.parametrize("text", UNSTORABLE)
def test_the_receipt_of_such_a_call_is_still_written(client, text):
    from integrations.inbound.models import WebhookReceipt

    post_webhook(client, "briefs", {"externalId": f"E-{text}", "title": "t"})
    receipt = WebhookReceipt.objects.get()
    assert receipt.status_code == 400
    assert receipt.external_key.startswith("E-") and receipt.external_key.isprintable()
