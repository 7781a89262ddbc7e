"""Every verification snippet in docs/WEBHOOKS.md, and seed 004's own Node verifier, run against requests the tracker
really sent: they accept them (with either secret during a rotation) and refuse a tampered body."""

import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from integrations.outbound.services import outbound_endpoint_rotate_secret, outbound_endpoint_send_test
from tests.integrations.node_verifier import SEED_004_NODE, run_node_module
from tracker.models import Organisation

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs" / "WEBHOOKS.md"

NODE_HARNESS = """
import fs from 'fs';
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const headers = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
const result = typeof verifyStandard === 'function'
  ? verifyStandard(input.body, headers, input.secret)
  : verify(input.body, headers['x-tracker-signature'], headers['x-tracker-timestamp'], input.secret);
console.log(JSON.stringify(result));
"""


def snippet(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- verify: {re.escape(name)} -->\n```\w+\n(.*?)```", text, flags=re.S)
    assert match, f"docs/WEBHOOKS.md has no snippet {name!r}"
    return match.group(1)


@pytest.fixture
def sent(receiver, endpoint_for, admin_user):
    """A real request (a test event, for an organisation with a non-ASCII name) and the endpoint's secret."""
    Organisation.objects.filter(slug="default").update(name="L'Oréal Studio")
    endpoint, secret = endpoint_for(receiver.url, events=["deliverable.approved"])
    outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    (request,) = receiver.requests
    assert "L'Oréal Studio" in request.body.decode()
    return request, secret, endpoint


def _python(name: str, function: str, body: bytes, headers: dict, secret: str):
    namespace: dict = {}
    exec(compile(snippet(name), f"docs/WEBHOOKS.md:{name}", "exec"), namespace)
    return namespace[function](body, headers, secret)


def _node(code: str, body: bytes, headers: dict, secret: str) -> bool:
    return run_node_module(code + NODE_HARNESS, {"body": body.decode("utf-8"), "headers": headers, "secret": secret})


def _bash(name: str, body: bytes, headers: dict, secret: str, tmp_path) -> bool:
    body_file = tmp_path / "body.json"
    body_file.write_bytes(body)
    h = {k.lower(): v for k, v in headers.items()}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BODY_FILE": str(body_file),
        "SECRET": secret,
        "WEBHOOK_ID": h["webhook-id"],
        "WEBHOOK_TIMESTAMP": h["webhook-timestamp"],
        "WEBHOOK_SIGNATURE": h["webhook-signature"],
        "X_TRACKER_TIMESTAMP": h["x-tracker-timestamp"],
        "X_TRACKER_SIGNATURE": h["x-tracker-signature"],
    }
    result = subprocess.run(["bash", "-eu", "-c", snippet(name)], env=env, capture_output=True, text=True, timeout=30)
    return result.returncode == 0 and result.stdout.strip() == "verified"


def _tampered(body: bytes) -> bytes:
    return body.replace(b'"webhook.test"', b'"webhook.tesT"')


def test_the_docs_python_standardwebhooks_example(sent):
    request, secret, _ = sent
    assert (
        _python("python-standardwebhooks", "verify", request.body, request.headers, secret)["event"] == "webhook.test"
    )
    with pytest.raises(Exception, match="No matching signature"):
        _python("python-standardwebhooks", "verify", _tampered(request.body), request.headers, secret)


@pytest.mark.parametrize("function", ["verify", "verify_tracker_signature"])
def test_the_docs_python_stdlib_examples(sent, function):
    request, secret, _ = sent
    assert _python("python-stdlib", function, request.body, request.headers, secret)["event"] == "webhook.test"
    with pytest.raises(ValueError, match="no valid signature"):
        _python("python-stdlib", function, _tampered(request.body), request.headers, secret)
    with pytest.raises(ValueError, match="no valid signature"):
        _python("python-stdlib", function, request.body, request.headers, secret.replace("whsec_", "whsec_A"))


def test_seed_004s_own_node_verifier_accepts_x_tracker_signature(sent):
    request, secret, _ = sent
    assert snippet("node-seed-004") == SEED_004_NODE  # the docs show the seed's snippet as it is
    assert _node(SEED_004_NODE, request.body, request.headers, secret) is True
    assert _node(SEED_004_NODE, _tampered(request.body), request.headers, secret) is False


def test_the_docs_node_standard_webhooks_example(sent):
    request, secret, _ = sent
    assert _node(snippet("node-standard"), request.body, request.headers, secret) is True
    assert _node(snippet("node-standard"), _tampered(request.body), request.headers, secret) is False


@pytest.mark.parametrize("name", ["bash-standard", "bash-tracker"])
def test_the_docs_bash_examples(sent, name, tmp_path):
    request, secret, _ = sent
    assert _bash(name, request.body, request.headers, secret, tmp_path)
    assert not _bash(name, _tampered(request.body), request.headers, secret, tmp_path)


def test_during_a_rotation_both_secrets_verify_and_afterwards_only_the_new_one(
    receiver, sent, admin_user, clock, tmp_path
):
    _, old_secret, endpoint = sent
    endpoint, new_secret = outbound_endpoint_rotate_secret(endpoint=endpoint, actor=admin_user)
    outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    overlap = receiver.requests[-1]
    assert len(overlap.header("webhook-signature").split(" ")) == 2
    assert len(overlap.header("X-Tracker-Signature").split(",")) == 2
    for secret in (old_secret, new_secret):
        assert Webhook(secret).verify(overlap.body, overlap.headers)["event"] == "webhook.test"
        assert _python("python-stdlib", "verify_tracker_signature", overlap.body, overlap.headers, secret)
        assert _bash("bash-standard", overlap.body, overlap.headers, secret, tmp_path)
        assert _bash("bash-tracker", overlap.body, overlap.headers, secret, tmp_path)
    # Seed 004's snippet reads the first signature: the new secret's.
    assert _node(SEED_004_NODE, overlap.body, overlap.headers, new_secret) is True

    clock.advance(hours=24, seconds=1)
    outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    after = receiver.requests[-1]
    # Signed 24 h ahead of the real clock, so checked without the library's timestamp tolerance.
    signed_at = datetime.fromtimestamp(int(after.header("webhook-timestamp")), UTC)
    message_id, body = after.header("webhook-id"), after.body.decode()
    assert after.header("webhook-signature") == Webhook(new_secret).sign(message_id, signed_at, body)
    assert Webhook(old_secret).sign(message_id, signed_at, body) not in after.header("webhook-signature")
