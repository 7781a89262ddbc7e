"""What a call must get right before anything is read: the signature (current or previous secret), JSON, shape."""

from pathlib import Path

import pytest

from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import ProcessedPayload
from projects.models import Project

from .conftest import FIXTURES, SECRET, fixture_bytes, fixture_json, post, sign

pytestmark = pytest.mark.django_db

SEED_INVALID = sorted((FIXTURES / "seed_invalid").glob("*.txt"))


def _refused(response, status: int, error: str) -> WebhookReceipt:
    assert response.status_code == status
    assert response.json()["error"] == error
    assert not Project.objects.exists()
    assert not ProcessedPayload.objects.exists()
    receipt = WebhookReceipt.objects.get()
    assert (receipt.route, receipt.status_code, receipt.outcome) == ("creativeforce", status, "REJECTED")
    return receipt


def test_a_call_without_the_signature_header_is_refused(client):
    receipt = _refused(post(client, "job__created", signature=""), 401, "missing signature header")
    assert receipt.signature_verified is False


def test_a_wrong_signature_is_refused(client):
    _refused(post(client, "job__created", secret="not-the-secret"), 401, "signature mismatch")


def test_a_signature_over_other_bytes_is_refused(client):
    """The HMAC is over the raw body: the same JSON re-serialised is other bytes."""
    body = fixture_bytes("job__created")
    response = post(client, body.replace(b"\n", b""), signature=sign(body))
    _refused(response, 401, "signature mismatch")


def test_an_unconfigured_secret_refuses_every_call(client, settings):
    settings.CREATIVE_FORCE_WEBHOOK_SECRET = ""
    response = post(client, "job__created")
    assert response.json() == {"error": "CREATIVE_FORCE_WEBHOOK_SECRET not configured"}
    _refused(response, 401, "CREATIVE_FORCE_WEBHOOK_SECRET not configured")


def test_during_a_rotation_the_previous_secret_is_accepted_and_an_unrelated_one_is_not(client, settings):
    settings.CREATIVE_FORCE_WEBHOOK_SECRET = "the-new-secret"
    settings.CREATIVE_FORCE_WEBHOOK_SECRET_PREVIOUS = SECRET
    assert post(client, "job__created", secret=SECRET).status_code == 200
    assert post(client, "product__reset", secret="the-new-secret").status_code == 200
    refused = post(client, "task__completed", secret="an-unrelated-secret")
    assert (refused.status_code, refused.json()) == (401, {"error": "signature mismatch"})
    verified = WebhookReceipt.objects.order_by("id").values_list("signature_verified", flat=True)
    assert list(verified) == [True, True, False]


def test_only_the_previous_secret_set_still_verifies(client, settings):
    settings.CREATIVE_FORCE_WEBHOOK_SECRET = ""
    settings.CREATIVE_FORCE_WEBHOOK_SECRET_PREVIOUS = SECRET
    assert post(client, "job__created").status_code == 200


def test_uppercase_hex_is_the_same_signature(client):
    body = fixture_bytes("job__created")
    assert post(client, body, signature=sign(body).upper()).status_code == 200


def test_the_event_header_and_the_payload_are_on_the_receipt(client):
    post(client, "task__completed", event="Task completed")
    receipt = WebhookReceipt.objects.get()
    assert receipt.event == "Task completed"
    assert receipt.payload_id == fixture_json("task__completed")["PayloadId"]
    assert receipt.external_key == (
        "job=d84eef10-c8a6-437a-9f95-0b58d2a3cb38 product=7a782d57-b0bf-4743-8f02-2b1a1e229869 "
        "task=c02f0f73-4665-4aae-aac1-c2fbc65365de"
    )
    assert receipt.signature_verified is True


def test_without_the_event_header_the_receipt_names_group_and_action(client):
    post(client, "task__completed")
    assert WebhookReceipt.objects.get().event == "task completed"


@pytest.mark.parametrize("path", SEED_INVALID, ids=lambda path: Path(path).stem)
def test_the_seeds_examples_that_are_not_json_are_answered_invalid_json_body(client, path):
    """CF's own documentation has examples with curly quotes, missing and trailing commas: signed as CF would
    sign them, they still are not JSON."""
    _refused(post(client, path.read_bytes()), 400, "invalid JSON body")


def test_a_json_value_that_is_not_an_object_is_an_invalid_payload(client):
    response = post(client, b"[1, 2]")
    assert response.json()["issues"] == [{"path": [], "message": "Expected a JSON object."}]
    _refused(response, 400, "invalid payload")


def test_an_event_we_act_on_without_its_ids_is_an_invalid_payload(client):
    body = fixture_json("product__reset")
    del body["ProductId"]
    body["EventDatetimeUtc"] = "yesterday"
    response = post(client, body)
    assert response.json()["issues"] == [
        {"path": ["ProductId"], "message": "This field is required."},
        {"path": ["EventDatetimeUtc"], "message": "Expected Unix time in milliseconds."},
    ]
    receipt = _refused(response, 400, "invalid payload")
    assert receipt.payload_id == body["PayloadId"]  # the receipt still says which delivery it was


def test_the_route_is_rate_limited_per_source_ip_before_the_signature_is_read(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    assert post(client, "job__created").status_code == 200
    assert post(client, "product__reset").status_code == 200
    over = post(client, "task__completed", signature="not-even-hex")
    assert over.status_code == 429
    assert over.json()["error"] == "rate limit exceeded" and int(over["Retry-After"]) > 0
    receipt = WebhookReceipt.objects.latest("id")
    assert (receipt.route, receipt.status_code, receipt.signature_verified) == ("creativeforce", 429, False)
