"""Delivery as CF does it: retries of the same payload, events out of order, a call that fails applies nothing."""

from datetime import date

import pytest

from deliverables.models import Deliverable, Transition
from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import ProcessedPayload, UpstreamObject
from projects.models import Project
from projects.services import project_update

from .conftest import fixture_json, post

pytestmark = pytest.mark.django_db


def _history() -> list[tuple[str, str]]:
    return list(Transition.objects.order_by("id").values_list("intent", "note"))


def test_a_redelivery_changes_nothing(client, studio_pipeline):
    """CF retries three times, 5 to 10 minutes apart, when it did not see our 2xx."""
    post(client, "task__completed")
    before = (_history(), Deliverable.objects.get().current_stage_id)
    again = post(client, "task__completed")
    assert again.json() == {"ok": True, "outcome": "duplicate", "action": None}
    assert (_history(), Deliverable.objects.get().current_stage_id) == before
    receipts = list(WebhookReceipt.objects.order_by("id").values_list("outcome", flat=True))
    assert receipts == ["ACCEPTED", "DUPLICATE"]
    assert ProcessedPayload.objects.count() == 1


def test_an_older_job_event_arriving_late_is_stale(client):
    post(client, "job__status_changed")  # 1595203000000: On Hold
    late = post(client, "job__created")  # 1595200000000: In Progress
    assert late.json() == {"ok": True, "outcome": "stale", "action": None}
    project = Project.objects.get()
    assert project.status == "ON_HOLD"
    receipt = WebhookReceipt.objects.latest("id")
    assert (receipt.outcome, receipt.detail) == ("STALE", "older than the last event applied to this object")


def test_an_older_product_event_arriving_late_is_stale(client):
    post(client, "product__reset")  # 1595204418000
    late = post(client, "product__status_changed")  # 1595201000000: On Hold
    assert late.json()["outcome"] == "stale"
    assert Deliverable.objects.get().status == "NOT_STARTED"


def test_an_older_task_event_arriving_late_is_stale(client, studio_pipeline):
    post(client, "task__completed")  # 1595204418000
    history = _history()
    assert post(client, "task__started").json()["outcome"] == "stale"  # 1595202000000
    assert _history() == history


def test_a_deleted_product_makes_its_older_events_stale(client):
    post(client, "product__deleted")  # never seen: ignored, but its time is kept
    assert post(client, "product__status_changed").json()["outcome"] == "stale"
    assert not Deliverable.objects.exists()


def test_a_task_does_not_date_its_product(client, studio_pipeline):
    """A task created the product's deliverable; the product's own, earlier event still applies."""
    post(client, "task__completed")  # 1595204418000
    assert post(client, "product__status_changed").json()["action"] == "held"  # 1595201000000
    assert Deliverable.objects.get().status == "ON_HOLD"


def test_events_of_different_objects_are_ordered_separately(client):
    post(client, "product__deleted")
    assert post(client, "job__created").json()["outcome"] == "applied"  # an older time, but another object


def test_a_refused_event_applies_nothing_and_its_retry_can_apply(client):
    """The whole call is one transaction: a refusal rolls back the claim of its PayloadId too."""
    post(client, "job__created")
    project = Project.objects.get()
    project_update(project=project, start_date=date(2020, 8, 10))  # due 20 Aug 2020
    update = fixture_json("job__status_changed", JobName="Renamed", JobDeadlineUtc=1596240000000)  # 1 Aug 2020
    refused = post(client, update)
    assert refused.status_code == 400
    assert "before the start date" in refused.json()["error"]
    project.refresh_from_db()
    assert (project.name, project.status) == ("Summer 2020", "ACTIVE")
    assert not ProcessedPayload.objects.filter(payload_id=update["PayloadId"]).exists()
    job = UpstreamObject.objects.get(kind="job")
    assert job.last_event_at.timestamp() * 1000 == fixture_json("job__created")["EventDatetimeUtc"]
    project_update(project=project, start_date=None)
    assert post(client, update).json()["outcome"] == "applied"
    project.refresh_from_db()
    assert (project.name, project.status, project.due_date) == ("Renamed", "ON_HOLD", date(2020, 8, 1))
