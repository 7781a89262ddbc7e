"""Every row of the guide's error table, for each of the three webhooks, and the order the checks run in."""

import json

import pytest

from briefs.models import Brief
from integrations.inbound.signatures import signature_for

from .conftest import ROUTES, fixture_bytes, fixture_json, header_meta, post_webhook, webhook_url

pytestmark = pytest.mark.django_db

ALL_ROUTES = pytest.mark.parametrize("route", list(ROUTES))


def valid_body(route: str) -> bytes:
    return fixture_bytes(*ROUTES[route][2])


@ALL_ROUTES
def test_missing_signature_header(client, route):
    response = post_webhook(client, route, valid_body(route), sign=False)
    assert response.status_code == 401
    assert response.json() == {"error": "missing signature header"}


@ALL_ROUTES
def test_an_empty_signature_header_counts_as_missing(client, route):
    response = post_webhook(client, route, valid_body(route), signature="  ")
    assert (response.status_code, response.json()) == (401, {"error": "missing signature header"})


@ALL_ROUTES
@pytest.mark.parametrize(
    "signature",
    [
        "sha256=" + "0" * 64,
        "sha256=deadbeef",
        "",  # replaced below by a signature made with the wrong secret
        "sha1=0123",
        "garbage",
        "sha256=ÿÿ",
    ],
)
def test_signature_mismatch(client, route, signature):
    signature = signature or signature_for("not-the-secret", valid_body(route))
    response = post_webhook(client, route, valid_body(route), signature=signature)
    assert response.status_code == 401
    assert response.json() == {"error": "signature mismatch"}


@ALL_ROUTES
def test_a_signature_of_a_re_serialised_body_does_not_match(client, route):
    body = valid_body(route)
    compact = json.dumps(json.loads(body), separators=(",", ":")).encode()
    response = post_webhook(client, route, body, signature=signature_for(getattr_secret(route), compact))
    assert response.json() == {"error": "signature mismatch"}


def getattr_secret(route: str) -> str:
    from django.conf import settings

    return getattr(settings, ROUTES[route][0])


@ALL_ROUTES
def test_secret_not_configured_names_the_variable(client, route, settings):
    secret_setting = ROUTES[route][0]
    setattr(settings, secret_setting, "")
    response = post_webhook(client, route, valid_body(route), secret="anything")
    assert response.status_code == 401
    assert response.json() == {"error": f"{secret_setting} not configured"}


def test_the_brief_secret_error_reads_exactly_as_the_guide_says(client, settings):
    settings.BRIEF_WEBHOOK_SECRET = ""
    response = post_webhook(client, "briefs", valid_body("briefs"), sign=False)
    assert response.json() == {"error": "BRIEF_WEBHOOK_SECRET not configured"}


@ALL_ROUTES
@pytest.mark.parametrize("body", [b"", b"{", b"not json", b"{'single': 'quotes'}", b"\xff\xfe\x00garbage", b"NaN"])
def test_invalid_json_body(client, route, body):
    response = post_webhook(client, route, body)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid JSON body"}


@ALL_ROUTES
@pytest.mark.parametrize("body", [b"[]", b"null", b'"x"', b"42", b"true", b"[{}]"])
def test_a_json_body_that_is_not_an_object_is_an_invalid_payload(client, route, body):
    response = post_webhook(client, route, body)
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "invalid payload"
    assert data["issues"] and all(set(issue) == {"path", "message"} for issue in data["issues"])
    assert data["issues"][0]["path"] == []


@ALL_ROUTES
def test_an_empty_object_is_an_invalid_payload_listing_what_is_required(client, route):
    response = post_webhook(client, route, b"{}")
    assert response.status_code == 400
    required = {"briefs": [["title"]], "omg": [["job"]], "deliverables": [["deliverable"]]}[route]
    assert [issue["path"] for issue in response.json()["issues"]] == required


def test_invalid_payload_lists_every_issue_with_its_path(client):
    response = post_webhook(
        client, "briefs", {"title": "", "priority": "SOON", "requestorEmail": "not-an-email", "rawPayload": []}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid payload",
        "issues": [
            {"path": ["title"], "message": "This field may not be blank."},
            {"path": ["requestorEmail"], "message": "Enter a valid email address."},
            {"path": ["priority"], "message": '"SOON" is not a valid choice.'},
            {"path": ["rawPayload"], "message": "Must be a JSON object."},
        ],
    }


@ALL_ROUTES
def test_a_pretty_printed_or_reordered_body_signed_as_sent_is_valid(client, route, omg_project):
    data = json.loads(valid_body(route))
    for body in (
        json.dumps(data, indent=4, ensure_ascii=False),
        json.dumps(dict(reversed(list(data.items()))), separators=(",", ":")),
        json.dumps(data, sort_keys=True, ensure_ascii=True),
    ):
        assert post_webhook(client, route, body.encode()).status_code == 200


@ALL_ROUTES
def test_an_uppercase_hex_signature_is_accepted(client, route, omg_project):
    body = valid_body(route)
    signature = "sha256=" + signature_for(getattr_secret(route), body).removeprefix("sha256=").upper()
    assert post_webhook(client, route, body, signature=signature).status_code == 200


# --- order of checks -----------------------------------------------------------------------------------------


def test_not_configured_comes_before_missing_header(client, settings):
    settings.OMG_WEBHOOK_SECRET = ""
    response = post_webhook(client, "omg", b"not json", sign=False)
    assert response.json() == {"error": "OMG_WEBHOOK_SECRET not configured"}


def test_missing_header_comes_before_invalid_json(client):
    response = post_webhook(client, "omg", b"not json", sign=False)
    assert response.json() == {"error": "missing signature header"}


def test_mismatch_comes_before_invalid_json_and_nothing_is_parsed(client):
    response = post_webhook(client, "briefs", b"{not json", signature="sha256=" + "a" * 64)
    assert response.json() == {"error": "signature mismatch"}


def test_mismatch_comes_before_invalid_payload(client):
    response = post_webhook(client, "briefs", b"[]", signature="sha256=" + "a" * 64)
    assert response.json() == {"error": "signature mismatch"}


def test_invalid_json_comes_before_invalid_payload(client):
    assert post_webhook(client, "briefs", b"[").json() == {"error": "invalid JSON body"}


def test_a_rejected_call_writes_nothing(client):
    body = fixture_bytes("briefs", "brief__created")
    post_webhook(client, "briefs", body, sign=False)
    post_webhook(client, "briefs", body, signature="sha256=" + "0" * 64)
    post_webhook(client, "briefs", fixture_json("briefs", "brief__created") | {"priority": "SOON"})
    assert Brief.objects.count() == 0


# --- HTTP surface ---------------------------------------------------------------------------------------------


@ALL_ROUTES
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head", "options"])
def test_only_post_is_served_and_other_methods_get_a_json_405(client, route, method):
    response = getattr(client, method)(webhook_url(route))
    assert response.status_code == 405
    if method != "head":
        assert response.json() == {"error": "method not allowed"}
        assert response["Content-Type"] == "application/json"
    assert "POST" in response["Allow"]


@ALL_ROUTES
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]
)
def test_the_content_type_does_not_matter_only_the_signed_bytes(client, route, content_type, omg_project):
    response = post_webhook(client, route, valid_body(route), content_type=content_type)
    assert response.status_code == 200


@ALL_ROUTES
def test_a_form_encoded_body_is_invalid_json(client, route):
    response = post_webhook(
        client, route, b"title=New+brief&priority=HIGH", content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, response.json()) == (400, {"error": "invalid JSON body"})


@ALL_ROUTES
def test_an_html_accept_header_still_gets_json(client, route):
    response = post_webhook(client, route, b"{}", HTTP_ACCEPT="text/html")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_csrf_is_not_required_for_signed_webhooks():
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = post_webhook(csrf_client, "briefs", fixture_bytes("briefs", "brief__created"))
    assert response.status_code == 200


def test_the_signature_header_name_is_case_insensitive(client):
    body = fixture_bytes("briefs", "brief__created")
    response = client.post(
        webhook_url("briefs"),
        data=body,
        content_type="application/json",
        headers={"x-brief-signature": signature_for(getattr_secret("briefs"), body)},
    )
    assert response.status_code == 200


def test_another_routes_header_is_not_accepted(client):
    body = fixture_bytes("briefs", "brief__created")
    signature = signature_for(getattr_secret("briefs"), body)
    response = client.post(
        webhook_url("briefs"), data=body, content_type="application/json", **{header_meta("X-OMG-Signature"): signature}
    )
    assert response.json() == {"error": "missing signature header"}
