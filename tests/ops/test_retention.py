"""Retention: one mechanism (tracker/retention.py) for every log and outbox table, run by the beat task and by
`manage.py prune`. Old rows go in batches, recent and unfinished ones stay."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.box.models import BoxInboundLog, BoxPushLog
from integrations.inbound.models import WebhookReceipt
from integrations.outbound.models import OutboundAttempt, OutboundDelivery, OutboundEndpoint
from tests.factories import default_organisation
from tracker.models import Event, EventDelivery
from tracker.retention import retention_policies, retention_prune
from tracker.tasks import retention_prune as retention_prune_task

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(days: float):
    return NOW - timedelta(days=days)


def receipts(*ages: float) -> list[int]:
    ids = []
    for age in ages:
        row = WebhookReceipt.objects.create(route="briefs", status_code=200, outcome="ACCEPTED")
        WebhookReceipt.objects.filter(pk=row.pk).update(created_at=days_ago(age))
        ids.append(row.pk)
    return ids


def push_log(deliverable, outcome: str, age: float) -> int:
    row = BoxPushLog.objects.create(push_id=uuid.uuid4(), deliverable=deliverable, outcome=outcome)
    BoxPushLog.objects.filter(pk=row.pk).update(created_at=days_ago(age))
    return row.pk


def inbound_log(outcome: str, age: float, event_id: str) -> int:
    row = BoxInboundLog.objects.create(outcome=outcome, event_id=event_id)
    BoxInboundLog.objects.filter(pk=row.pk).update(created_at=days_ago(age))
    return row.pk


def delivery(endpoint, status: str, age: float) -> OutboundDelivery:
    row = OutboundDelivery.objects.create(
        endpoint=endpoint, event_name="deliverable.approved", message_id=f"msg_{uuid.uuid4().hex}", body="{}",
        occurred_at=NOW, status=status, next_attempt_at=NOW if status == "pending" else None,
    )  # fmt: skip
    OutboundAttempt.objects.create(delivery=row, endpoint=endpoint, number=1, started_at=NOW, url=endpoint.url)
    OutboundDelivery.objects.filter(pk=row.pk).update(created_at=days_ago(age))
    return row


def test_every_log_table_has_one_policy():
    assert [p.name for p in retention_policies()] == [
        "accounts.login_events",
        "box.inbound_logs",
        "box.push_logs",
        "inbound.receipts",
        "outbound.deliveries",
        "tracker.emails",
        "tracker.events",
        "tracker.idempotency",
        "upstream.payloads",
    ]


def test_old_rows_go_and_recent_and_unfinished_ones_stay(deliverable):
    keep = receipts(settings.WEBHOOK_RECEIPT_RETENTION_DAYS - 1)
    receipts(settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 1, 400)
    box_days = settings.BOX_LOG_RETENTION_DAYS
    kept_pushes = [push_log(deliverable, "sent", box_days - 1), push_log(deliverable, "queued", box_days + 5)]
    kept_pushes.append(push_log(deliverable, "running", box_days + 5))
    push_log(deliverable, "sent", box_days + 1)
    push_log(deliverable, "failed", box_days + 1)
    kept_inbound = [inbound_log("queued", box_days + 1, "e1"), inbound_log("matched", box_days - 1, "e2")]
    inbound_log("matched", box_days + 1, "e3")
    endpoint = OutboundEndpoint.objects.create(
        organisation=default_organisation(), url="https://h.example/", secret="s"
    )
    out_days = settings.OUTBOUND_WEBHOOK_RETENTION_DAYS
    kept_deliveries = [delivery(endpoint, "pending", out_days + 5).pk, delivery(endpoint, "succeeded", out_days - 1).pk]
    delivery(endpoint, "succeeded", out_days + 1)
    delivery(endpoint, "failed", out_days + 1)
    old_event = Event.objects.create(name="x", payload={}, dispatched_at=NOW)
    EventDelivery.objects.create(event=old_event, subscriber="s")
    pending_event = Event.objects.create(name="x", payload={})
    Event.objects.filter(pk__in=[old_event.pk, pending_event.pk]).update(
        created_at=days_ago(settings.EVENTS_RETENTION_DAYS + 1)
    )

    report = retention_prune(now=NOW)

    assert report.finished
    assert dict(report.removed) == {
        "inbound.WebhookReceipt": 2,
        "box.BoxPushLog": 2,
        "box.BoxInboundLog": 1,
        "outbound.OutboundDelivery": 2,
        "outbound.OutboundAttempt": 2,
        "tracker.Event": 1,
        "tracker.EventDelivery": 1,
    }
    assert list(WebhookReceipt.objects.values_list("pk", flat=True)) == keep
    assert sorted(BoxPushLog.objects.values_list("pk", flat=True)) == sorted(kept_pushes)
    assert sorted(BoxInboundLog.objects.values_list("pk", flat=True)) == sorted(kept_inbound)
    assert sorted(OutboundDelivery.objects.values_list("pk", flat=True)) == sorted(kept_deliveries)
    events = set(Event.objects.values_list("pk", flat=True))
    assert pending_event.pk in events and old_event.pk not in events


def test_rows_are_deleted_in_batches_of_the_batch_size():
    receipts(*[settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 1] * 7)
    kept = receipts(1)
    with CaptureQueriesContext(connection) as queries:
        report = retention_prune(now=NOW, batch_size=3, only=["inbound.receipts"])
    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "inbound_webhookreceipt"')]
    assert len(deletes) == 3  # 3 + 3 + 1
    assert report.removed == {"inbound.WebhookReceipt": 7}
    assert list(WebhookReceipt.objects.values_list("pk", flat=True)) == kept


def test_a_run_out_of_time_stops_between_batches_and_the_next_goes_on(monkeypatch):
    receipts(*[settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 1] * 5)
    ticks = iter([0.0, 0.0, 0.0, 100.0])  # the deadline is computed, then checked before each batch
    monkeypatch.setattr("tracker.retention.time.monotonic", lambda: next(ticks))
    first = retention_prune(now=NOW, batch_size=2, max_seconds=10, only=["inbound.receipts"])
    assert (first.finished, first.total) == (False, 4)
    monkeypatch.undo()
    second = retention_prune(now=NOW, batch_size=2, only=["inbound.receipts"])
    assert (second.finished, second.total) == (True, 1)


def test_the_beat_task_prunes(settings):
    receipts(settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 1)
    assert retention_prune_task.delay().get() == 1
    assert settings.CELERY_BEAT_SCHEDULE["tracker.retention_prune"]["task"] == retention_prune_task.name
    old_tasks = {"outbound.prune", "tracker.events_prune", "tracker.idempotency_records_purge"}
    assert not old_tasks & {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_the_command_prints_what_it_removed_per_table():
    receipts(settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 1, settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 2)
    out = StringIO()
    call_command("prune", "--batch-size", "1", stdout=out)
    assert out.getvalue().splitlines() == ["inbound.WebhookReceipt: removed 2", "Removed 2 rows in batches of 1."]
    assert not WebhookReceipt.objects.exists()


def test_a_dry_run_prints_counts_and_deletes_nothing():
    receipts(settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 1, settings.WEBHOOK_RECEIPT_RETENTION_DAYS + 2, 1)
    out = StringIO()
    call_command("prune", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert "inbound.receipts: would remove 2" in lines
    assert "tracker.events: would remove 0" in lines
    assert WebhookReceipt.objects.count() == 3


def test_the_command_refuses_an_unknown_policy():
    with pytest.raises(CommandError, match="unknown policy: nope"):
        call_command("prune", "--only", "nope")
