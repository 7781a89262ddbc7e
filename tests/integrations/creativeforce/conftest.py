"""Helpers for the Creative Force adapter tests: fixture bodies, signing as CF signs, posting, a studio pipeline."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from projects.models import ApprovalType
from projects.services import pipeline_stage_add, pipeline_template_create, pipeline_template_set_default
from tests.factories import default_organisation

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "creativeforce"
SECRET = "c2VjcmV0LWZyb20tY3JlYXRpdmUtZm9yY2U="  # CF shows its secrets in Base64; the string is the key
SYSTEM = "Creative Force"

JOB_ID = "d84eef10-c8a6-437a-9f95-0b58d2a3cb38"
PRODUCT_ID = "7a782d57-b0bf-4743-8f02-2b1a1e229869"
TASK_ID = "c02f0f73-4665-4aae-aac1-c2fbc65365de"
CF_USER = "19e62847-f302-4e32-9e4a-b6d8c304fcbe"


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture_json(name: str, **changes) -> dict:
    return {**json.loads(fixture_bytes(name)), **changes}


def sign(body: bytes, secret: str = SECRET) -> str:
    """As CF does (its Ruby example): OpenSSL::HMAC.hexdigest(SHA256, secret, body)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body, *, secret: str = SECRET, signature: str | None = None, event: str | None = None, **extra):
    """POST `body` (a fixture name, bytes, or a dict) to the webhook, signed with `secret` unless `signature`
    is given ("" sends no header)."""
    if isinstance(body, str):
        body = fixture_bytes(body)
    elif isinstance(body, dict):
        body = json.dumps(body).encode()
    signature = sign(body, secret) if signature is None else signature
    if signature:
        extra["HTTP_X_CF_SIGNATURE"] = signature
    if event:
        extra["HTTP_X_CF_EVENT"] = event
    return client.post(reverse("creativeforce:webhook"), data=body, content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def cf_secret(settings):
    settings.CREATIVE_FORCE_WEBHOOK_SECRET = SECRET
    settings.CREATIVE_FORCE_WEBHOOK_SECRET_PREVIOUS = ""
    cache.clear()  # rate-limit counters live in the shared cache
    yield
    cache.clear()


@pytest.fixture
def studio_pipeline(db, admin_user):
    """The default pipeline of a studio that names its stages after CF's workflow steps."""
    template = pipeline_template_create(organisation=default_organisation(), actor=admin_user, name="Studio")
    for name, approval in (
        ("Photography", ApprovalType.NONE),
        ("Retouching", ApprovalType.NONE),
        ("Quality Check", ApprovalType.SIMPLE),
        ("Client Review", ApprovalType.FORMAL),
        ("Delivery", ApprovalType.NONE),
    ):
        pipeline_stage_add(template=template, actor=admin_user, name=name, approval_type=approval)
    pipeline_template_set_default(template=template, actor=admin_user)
    return template
