"""The Optumus signature: missing, wrong, unconfigured, outside the time window, during a rotation; and seed 004's
own Node verifier, run as written, agreeing with ours on every fixture."""

import pytest

from briefs.models import Brief
from integrations.inbound.models import WebhookReceipt
from integrations.optumus.signing import now_ms, signature_for, signature_matches
from tests.integrations.node_verifier import SEED_004_NODE, run_node_module

from .conftest import FIXTURE_NAMES, MINUTE_MS, PREVIOUS_SECRET, SECRET, fixture_bytes, post, signed_headers

pytestmark = pytest.mark.django_db

BODY = "content_brief__sent"


def _refused(response, error: str) -> None:
    assert response.status_code == 401, response.content
    assert response.json() == {"error": error}
    receipt = WebhookReceipt.objects.latest("id")
    assert (receipt.route, receipt.status_code, receipt.signature_verified) == ("optumus", 401, False)
    assert receipt.outcome == WebhookReceipt.Outcome.REJECTED and receipt.error == error
    assert not Brief.objects.exists()


def test_unconfigured_is_refused(client, settings):
    settings.OPTUMUS_WEBHOOK_SECRET = ""
    _refused(post(client, fixture_bytes(BODY)), "OPTUMUS_WEBHOOK_SECRET not configured")


@pytest.mark.parametrize(
    ("drop", "error"),
    [("X-Optumus-Signature", "missing signature header"), ("X-Optumus-Timestamp", "missing timestamp header")],
)
def test_a_missing_header_is_refused(client, drop, error):
    body = fixture_bytes(BODY)
    headers = signed_headers(body)
    del headers[drop]
    _refused(post(client, body, headers=headers), error)


@pytest.mark.parametrize("stamp", ["1778061600.123", "-1778061600000", "soon", "1e12", "0x19E0F1"])
def test_a_timestamp_that_is_not_unix_milliseconds_is_refused(client, stamp):
    body = fixture_bytes(BODY)
    headers = {"X-Optumus-Timestamp": stamp, "X-Optumus-Signature": signature_for(SECRET, stamp, body)}
    _refused(post(client, body, headers=headers), "invalid timestamp header: unix milliseconds expected")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h, b: ({**h, "X-Optumus-Signature": signature_for("x", h["X-Optumus-Timestamp"], b)}, b),
                     id="wrong-secret"),
        pytest.param(lambda h, b: (h, b.replace(b"summer range", b"winter range")), id="body-changed"),
        pytest.param(lambda h, b: ({**h, "X-Optumus-Timestamp": str(int(h["X-Optumus-Timestamp"]) + 1)}, b),
                     id="timestamp-changed"),
        pytest.param(lambda h, b: ({**h, "X-Optumus-Signature": "sha256="}, b), id="empty-digest"),
        pytest.param(lambda h, b: ({**h, "X-Optumus-Signature": "sha256=zz"}, b), id="not-hex"),
        pytest.param(lambda h, b: ({**h, "X-Optumus-Signature": h["X-Optumus-Signature"][:-2]}, b), id="truncated"),
    ],
)  # fmt: skip
def test_a_wrong_signature_is_refused(client, tamper):
    body = fixture_bytes(BODY)
    headers, sent = tamper(signed_headers(body), body)
    _refused(post(client, sent, headers=headers), "signature mismatch")


def test_the_signature_is_over_the_raw_bytes_not_a_decoded_string():
    """The same text sent with its non-ASCII characters escaped is other bytes, so another signature."""
    raw = fixture_bytes(BODY)
    escaped = raw.decode().replace("’", "\\u2019").encode()
    signature = signature_for(SECRET, "1778061600000", raw)
    assert signature_matches(SECRET, "1778061600000", raw, signature)
    assert not signature_matches(SECRET, "1778061600000", escaped, signature)


@pytest.mark.parametrize(
    ("offset_ms", "accepted"),
    [(-6 * MINUTE_MS, False), (-4 * MINUTE_MS, True), (30 * 1000, True), (2 * MINUTE_MS, False)],
    ids=["6-minutes-old", "4-minutes-old", "30-seconds-ahead", "2-minutes-ahead"],
)
def test_the_timestamp_window(client, offset_ms, accepted):
    body = fixture_bytes(BODY)
    response = post(client, body, timestamp=now_ms() + offset_ms)
    if accepted:
        assert response.status_code == 200, response.content
        assert Brief.objects.count() == 1
    else:
        _refused(response, "timestamp outside the allowed window")


def test_a_replay_inside_the_window_is_a_duplicate(client):
    body = fixture_bytes(BODY)
    headers = signed_headers(body, timestamp=now_ms() - MINUTE_MS)
    assert post(client, body, headers=headers).json()["outcome"] == "applied"
    assert post(client, body, headers=headers).json()["outcome"] == "duplicate"
    assert Brief.objects.count() == 1


def test_during_a_rotation_both_secrets_are_accepted_and_afterwards_only_the_new_one(client, settings):
    settings.OPTUMUS_WEBHOOK_SECRET_PREVIOUS = PREVIOUS_SECRET
    assert post(client, fixture_bytes("opportunity__created"), secret=PREVIOUS_SECRET).status_code == 200
    assert post(client, fixture_bytes(BODY), secret=SECRET).status_code == 200
    settings.OPTUMUS_WEBHOOK_SECRET_PREVIOUS = ""
    _refused_after = post(client, fixture_bytes("opportunity__status_changed"), secret=PREVIOUS_SECRET)
    assert _refused_after.status_code == 401 and _refused_after.json() == {"error": "signature mismatch"}


def test_only_the_previous_secret_set_still_verifies(client, settings):
    """Half-way through a rotation an operator may have cleared the current one first: the route stays up."""
    settings.OPTUMUS_WEBHOOK_SECRET, settings.OPTUMUS_WEBHOOK_SECRET_PREVIOUS = "", PREVIOUS_SECRET
    assert post(client, fixture_bytes(BODY), secret=PREVIOUS_SECRET).status_code == 200


# Seed 004's verify(), as written, fed the way its example reads: the body as a string, the two header values.
NODE_HARNESS = """
import fs from 'fs';
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = input.cases.map((c) => {
  try {
    return verify(c.body, c.signature, c.timestamp, c.secret);
  } catch (error) {
    return false;  // timingSafeEqual throws on a length mismatch: a refusal all the same
  }
});
console.log(JSON.stringify(results));
"""


def _cases(body: bytes, timestamp: str) -> list[dict]:
    good = signature_for(SECRET, timestamp, body)
    return [
        {"name": "signed", "body": body, "timestamp": timestamp, "signature": good, "secret": SECRET},
        {"name": "previous", "body": body, "timestamp": timestamp, "secret": PREVIOUS_SECRET,
         "signature": signature_for(PREVIOUS_SECRET, timestamp, body)},
        {"name": "wrong secret", "body": body, "timestamp": timestamp, "secret": SECRET,
         "signature": signature_for("not-the-secret", timestamp, body)},
        {"name": "body changed", "body": body.replace(b'"data"', b'"Data"'), "timestamp": timestamp,
         "signature": good, "secret": SECRET},
        {"name": "timestamp changed", "body": body, "timestamp": str(int(timestamp) - 1), "signature": good,
         "secret": SECRET},
        {"name": "uppercase hex", "body": body, "timestamp": timestamp, "signature": "sha256=" + good[7:].upper(),
         "secret": SECRET},
        {"name": "truncated", "body": body, "timestamp": timestamp, "signature": good[:-4], "secret": SECRET},
    ]  # fmt: skip


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_seed_004s_node_verifier_agrees_with_ours_on_every_fixture(client, settings, name):
    settings.OPTUMUS_WEBHOOK_SECRET_PREVIOUS = PREVIOUS_SECRET
    body = fixture_bytes(name)
    timestamp = str(now_ms())
    cases = _cases(body, timestamp)
    node = run_node_module(
        SEED_004_NODE + NODE_HARNESS, {"cases": [{**case, "body": case["body"].decode("utf-8")} for case in cases]}
    )
    ours = [signature_matches(case["secret"], case["timestamp"], case["body"], case["signature"]) for case in cases]
    assert dict(zip([c["name"] for c in cases], node, strict=True)) == dict(
        zip([c["name"] for c in cases], ours, strict=True)
    )
    assert node == [True, True, False, False, False, True, False]
    # And the receiver itself, end to end, says the same of the signed request and of the changed body.
    signed, changed = cases[0], cases[3]
    headers = {"X-Optumus-Timestamp": timestamp, "X-Optumus-Signature": signed["signature"]}
    assert post(client, changed["body"], headers=headers).status_code == 401
    assert post(client, body, headers=headers).status_code == 200
