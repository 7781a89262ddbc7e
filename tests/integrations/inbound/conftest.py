"""Helpers for the inbound webhook tests: fixture bodies, signing, posting."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from integrations.inbound.signatures import signature_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

ROUTES = {
    # route: (secret setting, signature header, fixture of a valid body)
    "briefs": ("BRIEF_WEBHOOK_SECRET", "X-Brief-Signature", ("briefs", "brief__created")),
    "omg": ("OMG_WEBHOOK_SECRET", "X-OMG-Signature", ("omg", "job__updated")),
    "deliverables": ("DELIVERABLE_WEBHOOK_SECRET", "X-Deliverable-Signature", ("deliverables", "deliverable__updated")),
}


def fixture_bytes(provider: str, name: str) -> bytes:
    return (FIXTURES / provider / f"{name}.json").read_bytes()


def fixture_json(provider: str, name: str) -> dict:
    return json.loads(fixture_bytes(provider, name))


def webhook_url(route: str) -> str:
    return reverse(f"inbound:webhook-{route}")


def header_meta(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def post_webhook(client, route: str, body, *, sign: bool = True, secret: str | None = None, signature=None, **extra):
    """POST `body` (bytes, str, or anything JSON-serialisable) to a webhook, signed with the route's secret
    unless told otherwise. Returns the response."""
    secret_setting, header, _ = ROUTES[route]
    if not isinstance(body, bytes | str):
        body = json.dumps(body)
    raw = body.encode() if isinstance(body, str) else body
    if signature is None and sign:
        signature = signature_for(secret if secret is not None else getattr(settings, secret_setting), raw)
    if signature is not None:
        extra[header_meta(header)] = signature
    extra.setdefault("content_type", "application/json")
    return client.post(webhook_url(route), data=raw, **extra)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the shared cache: start every test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def omg_project(db):
    """The project the guide's deliverable example belongs to (OMG-12345)."""
    from tests.factories import ProjectFactory

    return ProjectFactory(omg_job_number="OMG-12345", name="Q2 Launch Homepage Takeover")
