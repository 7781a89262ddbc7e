"""Posting Optumus deliveries as Optumus signs them: `X-Optumus-Timestamp` (unix ms) and
`X-Optumus-Signature: sha256=<hex of HMAC-SHA256("<timestamp>.<body>")>`."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations.optumus.signing import now_ms, signature_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "optumus"
FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))
SECRET = "optumus-test-secret"
PREVIOUS_SECRET = "optumus-previous-secret"
OPPORTUNITY = "3b9d6f12-8c4e-4a7b-b5d1-92e0f4c6a831"
MINUTE_MS = 60 * 1000


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture_json(name: str) -> dict:
    return json.loads(fixture_bytes(name))


def as_bytes(body) -> bytes:
    if isinstance(body, bytes):
        return body
    return body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()


def signed_headers(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> dict:
    stamp = str(now_ms() if timestamp is None else timestamp)
    return {"X-Optumus-Timestamp": stamp, "X-Optumus-Signature": signature_for(secret, stamp, body)}


def post(client, body, *, headers: dict | None = None, **sign):
    """POST `body` (a fixture's bytes, text, or a JSON-serialisable object) signed now with SECRET, unless
    `headers` are given (sent as they are)."""
    raw = as_bytes(body)
    sent = signed_headers(raw, **sign) if headers is None else headers
    return client.post(reverse("optumus:webhook"), data=raw, content_type="application/json", headers=sent)


def post_fixture(client, name: str, **changes):
    """A fixture, as its bytes when unchanged; with top-level `changes` (say `occurredAt`) re-serialised."""
    if not changes:
        return post(client, fixture_bytes(name))
    return post(client, {**fixture_json(name), **changes})


@pytest.fixture(autouse=True)
def optumus_secret(settings):
    settings.OPTUMUS_WEBHOOK_SECRET = SECRET
    settings.OPTUMUS_WEBHOOK_SECRET_PREVIOUS = ""
    return settings


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the shared cache: start every test with none."""
    cache.clear()
    yield
    cache.clear()
