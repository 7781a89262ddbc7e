"""Box redelivering an event while the first delivery is still in flight, and double clicks (needs Postgres)."""

import pytest
from django.test import Client
from django.urls import reverse

from deliverables.models import Revision
from integrations.box.models import BoxInboundLog, BoxPushLog
from tests.concurrency import run_at_once
from tests.conftest import require_postgres

from .conftest import add_revision, approve
from .test_webhook import event, signed_headers

CALLERS = 6


def all_at_once(call) -> list:
    return run_at_once([call] * CALLERS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_deliveries_of_one_event_make_one_revision(fake_box, deliverable):
    require_postgres()
    folder = fake_box.add_folder("OMG-24017_hero-banner_v1", fake_box.root_id)
    file_id, version_id = fake_box.add_file(folder, "hero.png", b"\x89PNG\r\n\x1a\n" + b"x" * 64)
    body = event(file_id=file_id, version_id=version_id, folder=(folder, "OMG-24017_hero-banner_v1"))

    def deliver():
        response = Client().post(
            reverse("box:webhook"), data=body, content_type="application/json", **signed_headers(body)
        )
        return response.status_code, response.json()["status"]

    results = all_at_once(deliver)
    assert sorted(results) == [(200, "duplicate")] * (CALLERS - 1) + [(200, "queued")], results
    assert Revision.objects.filter(deliverable=deliverable, source="box").count() == 1
    assert BoxInboundLog.objects.exclude(outcome="duplicate").get().outcome == "matched"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_send_clicks_make_one_push(fake_box, deliverable, producer, settings):
    require_postgres()
    add_revision(deliverable)
    approve(deliverable)  # its own push runs and finishes: the clicks below send the round again
    assert BoxPushLog.objects.get(deliverable=deliverable).outcome == "sent"
    # Keep the attempt from finishing while the other clicks arrive: Box answers slowly.
    fake_box.fail_next(1, mode="slow", delay=0.8, path="/2.0/folders")
    settings.BOX_REQUEST_TIMEOUT_SECONDS = 5.0

    def click():
        client = Client()
        client.force_login(producer)
        return client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true").status_code

    results = all_at_once(click)
    assert results == [200] * CALLERS, results
    pushes = BoxPushLog.objects.filter(deliverable=deliverable, trigger=BoxPushLog.Trigger.MANUAL)
    assert pushes.count() == 1 and pushes.get().outcome == "sent"
