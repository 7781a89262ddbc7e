"""When Redis (the rate-limit cache) is down or hung, every webhook still takes its call, at once, and says so in
the log: the limits fail open. Each path runs with the cache pointed at a closed port and at a server that
accepts connections and never answers.

The time bound is a hang guard, not a benchmark: with the cache's 0.2 s socket timeouts a call costs a fraction
of a second; without them it waited for ever (or, with a retrying client, about six seconds)."""

import json
import logging
import time
from datetime import UTC, datetime

import pytest
from box_sdk_gen.internal.utils import compute_webhook_signature
from django.urls import reverse

from briefs.models import Brief
from deliverables.models import Deliverable
from integrations.box.models import BoxInboundLog
from integrations.inbound.models import WebhookReceipt
from projects.models import Project
from tests.factories import ProjectFactory
from tests.integrations.inbound.conftest import fixture_json, post_webhook
from tests.netfaults import closed_port, silent_server

pytestmark = pytest.mark.django_db

HANG_GUARD_SECONDS = 3.0
BOX_KEY = "box-primary-key-for-the-cache-tests"


@pytest.fixture(params=["closed-port", "never-answers"])
def broken_cache(request, settings):
    """The default cache (rate-limit counters) pointed at a Redis that refuses connections, or one that hangs."""

    def point_at(port: int) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": settings.REDIS_CACHE_OPTIONS,
            }
        }

    if request.param == "closed-port":
        point_at(closed_port())
        yield None
    else:
        with silent_server() as server:
            point_at(server.port)
            yield server


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def ratelimit_warnings(caplog, name: str) -> int:
    return sum(1 for record in caplog.records if record.getMessage() == name and record.levelno == logging.WARNING)


@pytest.mark.parametrize("route", ["briefs", "omg", "deliverables"])
def test_every_guide_webhook_takes_its_call_while_the_cache_is_unavailable(client, broken_cache, caplog, route):
    ProjectFactory(omg_job_number="OMG-12345")
    body = {
        "briefs": lambda: fixture_json("briefs", "brief__created"),
        "omg": lambda: fixture_json("omg", "job__updated"),
        "deliverables": lambda: fixture_json("deliverables", "deliverable__updated"),
    }[route]()

    response, elapsed = timed(lambda: post_webhook(client, route, body))

    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    assert elapsed < HANG_GUARD_SECONDS
    receipt = WebhookReceipt.objects.get()
    assert receipt.status_code == 200
    model = {"briefs": Brief, "omg": Project, "deliverables": Deliverable}[route]
    assert model.objects.filter(pk=receipt.object_id).exists()
    assert ratelimit_warnings(caplog, "inbound.ratelimit_unavailable") == 1
    if broken_cache is not None:
        assert broken_cache.connections >= 1  # the cache was really asked, and really did not answer


def test_the_box_webhook_takes_its_call_while_the_cache_is_unavailable(client, broken_cache, caplog, settings):
    settings.BOX_WEBHOOK_PRIMARY_KEY = BOX_KEY
    body = json.dumps(
        {"id": "evt-cache", "type": "webhook_event", "trigger": "FILE.TRASHED", "source": {"type": "file", "id": "9"}}
    ).encode()
    headers = {
        "box-delivery-id": "delivery-cache",
        "box-delivery-timestamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "box-signature-version": "1",
        "box-signature-algorithm": "HmacSHA256",
    }
    headers["box-signature-primary"] = compute_webhook_signature(body.decode(), headers, BOX_KEY)
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}

    response, elapsed = timed(
        lambda: client.post(reverse("box:webhook"), data=body, content_type="application/json", **meta)
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ignored", "id": "evt-cache"}
    assert elapsed < HANG_GUARD_SECONDS
    assert BoxInboundLog.objects.get().outcome == "ignored"
    assert ratelimit_warnings(caplog, "inbound.ratelimit_unavailable") == 1
