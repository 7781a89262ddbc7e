"""Pushing approved work to Box, through the SDK, over HTTP, to the fake Box."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integrations.box.models import BoxPushLog
from integrations.box.services import box_push_attempt, box_push_queue, box_push_sweep
from tests.factories import UserFactory, make_deliverable
from tracker.models import Notification, NotificationPreference, Organisation, User
from tracker.services import notification_preference_set

from .conftest import PNG, add_revision, approve, box_app_config

pytestmark = pytest.mark.django_db


def rows(deliverable):
    return list(BoxPushLog.objects.filter(deliverable=deliverable).order_by("id"))


def test_approval_creates_the_folder_and_uploads_the_latest_revision(
    fake_box, deliverable, producer, django_capture_on_commit_callbacks
):
    add_revision(deliverable, PNG + b"round-1", "first.png")
    add_revision(deliverable, PNG + b"round-2", "hero-banner.png")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable, actor=producer)

    [row] = rows(deliverable)
    assert row.outcome == BoxPushLog.Outcome.SENT
    assert (row.trigger, row.attempt, row.round, row.requested_by) == ("approved", 1, 2, producer)
    assert row.folder_name == "OMG-24017_hero-banner_v2"
    folder = fake_box.folder_named("OMG-24017_hero-banner_v2", fake_box.root_id)
    assert folder is not None and row.box_folder_id == folder.id
    [file] = fake_box.children(folder.id, "file")
    assert (file.name, file.versions[-1][1]) == ("hero-banner.png", PNG + b"round-2")
    assert (row.box_file_id, row.box_file_version_id) == (file.id, file.versions[-1][0])
    assert not row.folder_reused and not row.new_version
    # The SDK got its token with a JWT assertion the fake verified against the test public key.
    assert fake_box.token_errors == [] and len(fake_box.tokens) >= 1


def test_an_existing_folder_is_reused_on_409(fake_box, deliverable, django_capture_on_commit_callbacks):
    existing = fake_box.add_folder("OMG-24017_hero-banner_v1", fake_box.root_id)
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    [row] = rows(deliverable)
    assert row.outcome == BoxPushLog.Outcome.SENT
    assert row.box_folder_id == existing and row.folder_reused
    assert [c[2] for c in fake_box.calls("POST", "/2.0/folders")] == [409]
    assert len([f for f in fake_box.children(fake_box.root_id, "folder") if f.name.endswith("_v1")]) == 1
    assert [f.name for f in fake_box.children(existing, "file")] == ["hero-banner.png"]


def test_a_file_already_in_the_folder_gets_a_new_version(fake_box, deliverable, django_capture_on_commit_callbacks):
    folder = fake_box.add_folder("OMG-24017_hero-banner_v1", fake_box.root_id)
    file_id, _ = fake_box.add_file(folder, "hero-banner.png", b"old bytes")
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    [row] = rows(deliverable)
    assert row.outcome == BoxPushLog.Outcome.SENT
    assert row.new_version and row.box_file_id == file_id
    assert [content for _, content in fake_box.items[file_id].versions] == [b"old bytes", PNG]


@pytest.mark.parametrize(
    "failure",
    [{"status": 503}, {"status": 500}, {"status": 429}, {"mode": "drop"}],
    ids=["503", "500", "429", "connection-dropped"],
)
def test_two_failures_then_success_is_three_attempts_in_three_rows(
    fake_box, deliverable, failure, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    fake_box.fail_next(2, path="/2.0/folders", **failure)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    attempts = rows(deliverable)
    assert [(r.attempt, r.outcome) for r in attempts] == [(1, "retry"), (2, "retry"), (3, "sent")]
    assert len({r.push_id for r in attempts}) == 1
    expected = "network error" if failure.get("mode") == "drop" else f"Box answered {failure['status']}"
    assert all(expected in r.error for r in attempts[:2])
    assert attempts[0].http_status == failure.get("status")
    assert fake_box.folder_named("OMG-24017_hero-banner_v1", fake_box.root_id) is not None


def test_a_slow_answer_times_out_and_is_retried(fake_box, deliverable, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    fake_box.fail_next(1, mode="slow", delay=1.6, path="/2.0/folders")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    first, second = rows(deliverable)
    assert (first.outcome, second.outcome) == ("retry", "sent")
    assert "network error" in first.error and "Timeout" in first.error
    # Whichever request reached Box first made the folder; the other met a 409. Either way there is one.
    [folder] = [f for f in fake_box.children(fake_box.root_id, "folder") if f.name == second.folder_name]
    assert second.box_folder_id == folder.id


def test_a_failed_push_nobody_asked_for_tells_the_admins_of_its_organisation_only(
    fake_box, deliverable, owner, admin_user, django_capture_on_commit_callbacks
):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    elsewhere = Organisation.objects.create(name="Other studio", slug="other-studio")
    UserFactory(username="oscar", role=User.Role.ADMIN, organisation=elsewhere)
    add_revision(deliverable)
    fake_box.fail_next(1, status=400, path="/2.0/folders")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    notified = Notification.objects.filter(kind=Notification.Kind.BOX_PUSH_FAILED)
    assert [n.recipient for n in notified] == [admin_user]


def test_three_failures_leave_the_push_failed_and_tell_the_requester_and_owner(
    fake_box, deliverable, producer, owner, client, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    fake_box.fail_next(3, status=502, path="/2.0/folders")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable, actor=producer)

    attempts = rows(deliverable)
    assert [(r.attempt, r.outcome) for r in attempts] == [(1, "retry"), (2, "retry"), (3, "failed")]
    assert attempts[-1].error.startswith("Box answered 502")
    notified = Notification.objects.filter(kind=Notification.Kind.BOX_PUSH_FAILED)
    assert {n.recipient for n in notified} == {producer, owner}
    assert all("502" in n.body for n in notified)

    client.force_login(producer)
    for url in (reverse("deliverables:detail", args=[deliverable.pk]), reverse("box:panel", args=[deliverable.pk])):
        page = client.get(url).content.decode()
        assert 'data-state="failed"' in page and "Box answered 502" in page
        assert "attempt 3 of 3" in page
        assert reverse("box:push_retry", args=[attempts[-1].pk]) in page


def test_a_failed_push_notification_is_emailed_to_the_requester_and_owner(
    settings, fake_box, deliverable, producer, owner, django_capture_on_commit_callbacks
):
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.com"
    notification_preference_set(user=owner, email=NotificationPreference.Email.NONE)
    add_revision(deliverable)
    fake_box.fail_next(3, status=502, path="/2.0/folders")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable, actor=producer)

    # The owner chose the bell only: the requester alone is emailed, once, when the last attempt has failed.
    [message] = [m for m in mail.outbox if "Box push failed" in m.subject]
    note = Notification.objects.get(recipient=producer, kind=Notification.Kind.BOX_PUSH_FAILED)
    assert message.to == [producer.email] and message.subject.endswith("Box push failed: Hero banner")
    assert "Box answered 502" in message.body
    link = "https://tracker.example.com" + reverse("notification_open", args=[note.pk])
    assert link in message.body and f'href="{link}"' in message.alternatives[0][0]
    assert Notification.objects.filter(recipient=owner, kind=Notification.Kind.BOX_PUSH_FAILED).exists()


def test_other_4xx_fail_at_once_with_the_reason(fake_box, deliverable, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    fake_box.fail_next(1, status=403, path="/2.0/folders", body={"code": "access_denied_insufficient_permissions"})
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    [row] = rows(deliverable)
    assert row.outcome == BoxPushLog.Outcome.FAILED and row.http_status == 403
    assert row.error.startswith("Box answered 403 access_denied_insufficient_permissions")


def test_a_key_box_does_not_know_is_refused_at_the_token_endpoint(
    fake_box, other_box_keys, deliverable, django_capture_on_commit_callbacks
):
    fake_box.config_path.write_text(json.dumps(box_app_config(other_box_keys.private_pem)))
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    [row] = rows(deliverable)
    assert row.outcome == BoxPushLog.Outcome.FAILED
    assert row.error.startswith("Box answered 400 invalid_grant")
    assert "Signature verification failed" in fake_box.token_errors[0]
    assert fake_box.calls("POST", "/2.0/folders") == []


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        (None, "BOX_CONFIG_FILE is not set"),
        ("{}", "is empty ({})"),
        ("", "is empty ({})"),
        ("not json", "is not valid JSON"),
        ('{"boxAppSettings": {"clientID": "x"}}', "lacks boxAppSettings.clientSecret"),
    ],
    ids=["unset", "empty-object", "empty-file", "not-json", "incomplete"],
)
def test_without_box_configured_the_push_is_refused_with_the_reason(
    settings, tmp_path, deliverable, config, reason, django_capture_on_commit_callbacks
):
    if config is None:
        settings.BOX_CONFIG_FILE = ""
    else:
        path = tmp_path / "box.json"
        path.write_text(config)
        settings.BOX_CONFIG_FILE = str(path)
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approve(deliverable)

    [row] = rows(deliverable)
    assert row.outcome == BoxPushLog.Outcome.FAILED and row.attempt == 1
    assert row.error.startswith("Box is not configured: ") and reason in row.error
    assert all(callback.__qualname__.startswith("emit.") for callback in callbacks)  # no task was queued


def test_a_deliverable_without_a_revision_or_omg_number_is_refused(fake_box, project, owner):
    bare = make_deliverable(project=project, name="No files yet")
    row = box_push_queue(deliverable=bare, trigger=BoxPushLog.Trigger.MANUAL)
    assert (row.outcome, row.error) == ("failed", "the deliverable has no revision to send")

    project.omg_job_number = None
    project.save()
    add_revision(bare)
    row = box_push_queue(deliverable=bare, trigger=BoxPushLog.Trigger.MANUAL)
    assert row.outcome == "failed" and "an OMG job number is needed" in row.error


def test_a_lost_message_is_sent_again_by_the_sweep(fake_box, deliverable, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    # The push is recorded but its Celery message never leaves: the on-commit callbacks are dropped.
    with django_capture_on_commit_callbacks(execute=False):
        row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED)
    assert BoxPushLog.objects.get(pk=row.pk).outcome == BoxPushLog.Outcome.QUEUED

    with django_capture_on_commit_callbacks(execute=True):
        assert box_push_sweep() == 0  # too fresh to count as lost
    assert BoxPushLog.objects.get(pk=row.pk).outcome == BoxPushLog.Outcome.QUEUED

    later = timezone.now() + timedelta(seconds=fake_box_setting("BOX_PUSH_STUCK_AFTER_SECONDS") + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert box_push_sweep(now=later) == 1
    row.refresh_from_db()
    assert (row.outcome, row.requeued_count) == (BoxPushLog.Outcome.SENT, 1)
    assert fake_box.folder_named(row.folder_name, fake_box.root_id) is not None


def test_an_attempt_whose_worker_died_is_sent_again_by_the_sweep(
    fake_box, deliverable, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=False):
        row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED)
    long_ago = timezone.now() - timedelta(days=1)
    BoxPushLog.objects.filter(pk=row.pk).update(outcome=BoxPushLog.Outcome.RUNNING, started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert box_push_sweep() == 1
    row.refresh_from_db()
    assert row.outcome == BoxPushLog.Outcome.SENT


def test_a_duplicate_message_runs_the_attempt_once(fake_box, deliverable, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=False):
        row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED)
    assert box_push_attempt(push_log_id=row.pk).outcome == BoxPushLog.Outcome.SENT
    assert box_push_attempt(push_log_id=row.pk) is None
    assert len(fake_box.calls("POST", "/api/2.0/files/content")) == 1


def fake_box_setting(name):
    from django.conf import settings

    return getattr(settings, name)


def test_an_expired_token_is_refreshed_once_without_costing_an_attempt(
    fake_box, deliverable, project, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)
    fake_box.tokens.clear()  # Box forgets the cached access token: the next call answers 401

    second = make_deliverable(project=project, name="Second banner")
    add_revision(second)
    with django_capture_on_commit_callbacks(execute=True):
        approve(second)

    [row] = rows(second)
    assert (row.outcome, row.attempt) == (BoxPushLog.Outcome.SENT, 1)
    assert len(fake_box.calls("POST", "/oauth2/token")) == 2


def test_the_sweep_runs_periodically():
    from django.conf import settings

    from tracker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["box.push_sweep"]
    assert entry["task"] in app.tasks and entry["schedule"] <= settings.BOX_PUSH_STUCK_AFTER_SECONDS
