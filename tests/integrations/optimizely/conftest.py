"""Helpers for the Optimizely CMP adapter tests: the seed-003 fixtures, posted with the `Callback-Secret` header
as CMP sends it, a task linked to a deliverable, and a file server on 127.0.0.1 for the asset downloads."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations.optimizely.services import task_link
from tests.factories import ProjectFactory, make_deliverable
from tests.integrations.webhooks.fileserver import FileServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "optimizely"
SECRET = "cmp-callback-secret-7d1f0a"
TASK_ID = "6650b8f1c2a34d0e9f7a1b2c"
ROUTES = {"task": "optimizely:task-events", "content": "optimizely:content-events"}
# A PNG's signature and enough bytes after it to be a file revisions accept.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 512


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture_json(name: str, **changes) -> dict:
    return json.loads(fixture_bytes(name)) | changes


def all_fixtures() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def post_cmp(client, body, *, route: str | None = None, secret: str | None = SECRET, **extra):
    """POST a fixture name, a dict or raw bytes to the route its name says (task__ / content__), with the
    Callback-Secret header unless `secret` is None."""
    if isinstance(body, str) and (FIXTURES / f"{body}.json").exists():
        route = route or body.split("__", 1)[0]
        body = fixture_bytes(body)
    if isinstance(body, dict):
        route = route or ("task" if "task_id" in body else "content")
        body = json.dumps(body).encode()
    if secret is not None:
        extra["HTTP_CALLBACK_SECRET"] = secret
    return client.post(reverse(ROUTES[route or "task"]), data=body, content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def cmp_settings(settings):
    settings.OPTIMIZELY_CMP_CALLBACK_SECRET = SECRET
    settings.OPTIMIZELY_CMP_CALLBACK_SECRET_PREVIOUS = ""
    settings.WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1"]
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    settings.UPSTREAM_FETCH_TIMEOUT_SECONDS = 5.0
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def owner(producer):
    return producer


@pytest.fixture
def deliverable(owner):
    return make_deliverable(ProjectFactory(name="Summer Glow", owner=owner), name="Hero banner")


@pytest.fixture
def linked(deliverable, owner):
    """The deliverable, linked by hand to the fixtures' task."""
    task_link(deliverable=deliverable, task_id=TASK_ID, actor=owner)
    deliverable.refresh_from_db()
    return deliverable


@pytest.fixture
def files():
    server = FileServer().start()
    yield server
    server.stop()


@pytest.fixture
def sent_fetches(monkeypatch):
    """The download messages the services send (by row id), instead of running them."""
    sent = []
    monkeypatch.setattr(
        "integrations.optimizely.queue.send_fetch", lambda fetch_id, countdown=None: sent.append(fetch_id)
    )
    return sent
