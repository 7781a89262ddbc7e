"""The happy path once through a real server: CMP's task events over HTTP, with the Callback-Secret header, reach
the linked deliverable; the asset's file comes from another real server on 127.0.0.1 and becomes a revision."""

import json
import urllib.request

from django.urls import reverse

from deliverables.models import Revision
from integrations.inbound.models import WebhookReceipt
from tests.factories import advance_to

from .conftest import PNG, SECRET, fixture_json


def _post(live_server, route: str, body: dict) -> dict:
    request = urllib.request.Request(
        live_server.url + reverse(route),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Callback-Secret": SECRET},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own live server
        assert response.status == 200
        return json.loads(response.read())


def test_task_events_through_a_live_server(live_server, linked, files, admin_user):
    advance_to(linked, "briefing", admin_user)
    files.serve("/v3/images/665a0d4e8b1f2c3a4d5e6f70/hero.png", PNG, content_type="image/png")
    asset = fixture_json("task__asset_added")
    asset["asset"]["links"]["self"] = files.url("/v3/images/665a0d4e8b1f2c3a4d5e6f70/hero.png")

    assert _post(live_server, "optimizely:task-events", fixture_json("task__step_completed"))["action"] == "completed"
    assert _post(live_server, "optimizely:task-events", fixture_json("task__due_date_changed"))["action"] == "updated"
    assert _post(live_server, "optimizely:task-events", asset)["action"] == "queued"

    linked.refresh_from_db()
    assert linked.current_stage.name == "Concept" and linked.due_date.isoformat() == "2024-06-21"
    revision = Revision.objects.get(deliverable=linked)
    assert revision.source == "upstream" and revision.file.read() == PNG
    assert WebhookReceipt.objects.filter(route="optimizely-task", outcome="ACCEPTED").count() == 3
