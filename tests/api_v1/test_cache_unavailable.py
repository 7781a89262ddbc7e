"""When Redis (the rate-limit cache) is down or hung, /api/v1 keeps serving, at once, and logs that the per-key
limit was not counted. The time bound is a hang guard (see tests/integrations/webhooks/test_cache_unavailable.py)."""

import logging
import time

import pytest
from django.urls import reverse

from projects.models import Project
from tests.integrations.webhooks.test_cache_unavailable import HANG_GUARD_SECONDS, broken_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def test_reads_and_writes_are_served_while_the_cache_is_unavailable(api, broken_cache, caplog):  # noqa: F811
    started = time.monotonic()
    created = api.post(reverse("api_v1:projects"), {"name": "Made while Redis was away"}, format="json")
    listed = api.get(reverse("api_v1:projects"))
    elapsed = time.monotonic() - started

    assert created.status_code == 201, created.content
    assert listed.status_code == 200 and [p["name"] for p in listed.json()["results"]] == ["Made while Redis was away"]
    assert Project.objects.count() == 1
    assert elapsed < 2 * HANG_GUARD_SECONDS
    warnings = [r for r in caplog.records if r.getMessage() == "api.ratelimit_unavailable"]
    assert len(warnings) == 2 and all(r.levelno == logging.WARNING for r in warnings)
