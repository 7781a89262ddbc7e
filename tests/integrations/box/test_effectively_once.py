"""A push lands in Box once, however its attempts are interrupted; an interrupted push goes on within minutes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from integrations.box.models import BoxPushLog
from integrations.box.services import box_push_attempt, box_push_queue, box_push_sweep
from tracker import celery_app

from .conftest import PNG, add_revision, approve
from .test_worker import _worker_output, wait_for

pytestmark = pytest.mark.django_db

FOLDER = "OMG-24017_hero-banner_v1"
TOKEN_A = "00000000-0000-0000-0000-00000000000a"


def rows(deliverable):
    return list(BoxPushLog.objects.filter(deliverable=deliverable).order_by("id"))


def files(fake_box) -> list:
    folder = fake_box.folder_named(FOLDER, fake_box.root_id)
    return fake_box.children(folder.id, "file") if folder else []


def the_file(fake_box):
    [file] = files(fake_box)
    return file


def test_an_upload_box_stored_but_never_confirmed_is_recorded_not_sent_twice(
    fake_box, deliverable, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    # Box stores the upload, then the connection drops before the answer: the attempt sees a network error.
    fake_box.fail_next(1, mode="drop_after", path="/api/2.0/files/content")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    first, second = rows(deliverable)
    assert (first.outcome, second.outcome) == ("retry", "sent")
    file = the_file(fake_box)
    assert len(file.versions) == 1, "the retry uploaded a second version of the same bytes"
    assert (second.box_file_id, second.box_file_version_id) == (file.id, file.versions[0][0])
    assert second.file_reused and not second.new_version and second.folder_reused
    assert len(fake_box.calls("POST", "/api/2.0/files/content")) == 1


def test_a_file_with_the_same_name_and_bytes_in_the_folder_is_recorded_without_an_upload(
    fake_box, deliverable, django_capture_on_commit_callbacks
):
    folder = fake_box.add_folder(FOLDER, fake_box.root_id)
    file_id, version_id = fake_box.add_file(folder, "HERO-BANNER.png", PNG)  # Box compares names without case
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    [row] = rows(deliverable)
    assert (row.outcome, row.box_file_id, row.box_file_version_id) == ("sent", file_id, version_id)
    assert row.file_reused
    assert fake_box.calls("POST", "/api/2.0/files") == []
    assert [c[2] for c in fake_box.calls("GET", f"/2.0/folders/{folder}/items")] == [200]


def test_a_new_folder_is_not_listed(fake_box, deliverable, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)
    assert rows(deliverable)[0].outcome == "sent"
    assert [r for r in fake_box.requests if r[0] == "GET"] == []


def test_a_worker_that_died_mid_upload_is_picked_up_after_its_lease_and_box_keeps_one_version(
    fake_box, deliverable, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=False):
        row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED)
    # What a killed worker leaves: Box got the file, the row says "running" under a lease nobody renews.
    folder = fake_box.add_folder(FOLDER, fake_box.root_id)
    fake_box.add_file(folder, "hero-banner.png", PNG)
    lease = timedelta(seconds=settings.BOX_PUSH_LEASE_SECONDS)
    started = timezone.now() - lease - timedelta(seconds=5)
    BoxPushLog.objects.filter(pk=row.pk).update(outcome="running", started_at=started, lease_expires_at=started + lease)

    with django_capture_on_commit_callbacks(execute=True):
        assert box_push_sweep(now=started + lease - timedelta(seconds=1)) == 0  # still held then
        assert box_push_sweep() == 1

    row.refresh_from_db()
    assert (row.outcome, row.file_reused, row.requeued_count) == ("sent", True, 1)
    assert len(the_file(fake_box).versions) == 1


def test_with_production_defaults_an_interrupted_push_goes_on_within_minutes():
    # A lease outlasts the longest single Box call; the sweep runs every BOX_PUSH_SWEEP_SECONDS.
    lease = max(settings.BOX_PUSH_LEASE_SECONDS, 2 * settings.BOX_REQUEST_TIMEOUT_SECONDS)
    assert lease + settings.BOX_PUSH_SWEEP_SECONDS <= 5 * 60
    assert settings.CELERY_BEAT_SCHEDULE["box.push_sweep"]["schedule"] == settings.BOX_PUSH_SWEEP_SECONDS


def test_an_attempt_whose_lease_was_taken_over_cannot_record_anything(
    fake_box, deliverable, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=False):
        row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED)
    # A slow attempt A is past its lease; the sweep hands the row to attempt B, which finishes it.
    expired = timezone.now() - timedelta(seconds=1)
    BoxPushLog.objects.filter(pk=row.pk).update(
        outcome="running", started_at=expired, lease_expires_at=expired, lease_token=TOKEN_A
    )
    assert box_push_attempt(push_log_id=row.pk).outcome == "sent"
    finished = BoxPushLog.objects.get(pk=row.pk)
    assert str(finished.lease_token) != TOKEN_A
    # A late message for the row finds nothing to do: one upload in all.
    assert box_push_attempt(push_log_id=row.pk) is None
    assert len(fake_box.calls("POST", "/api/2.0/files/content")) == 1


def test_a_queued_retry_is_not_swept_before_its_backoff_is_over(
    fake_box, deliverable, settings, django_capture_on_commit_callbacks
):
    settings.BOX_RETRY_BACKOFF_SECONDS = 3600
    settings.BOX_RETRY_BACKOFF_MAX_SECONDS = 3600
    add_revision(deliverable)
    fake_box.fail_next(1, status=503, path="/2.0/folders")
    with django_capture_on_commit_callbacks(execute=False):
        row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.APPROVED)
    with pytest.raises(Exception, match="Box answered 503"):
        box_push_attempt(push_log_id=row.pk)
    retry = BoxPushLog.objects.get(push_id=row.push_id, attempt=2)
    assert retry.outcome == "queued" and retry.not_before > timezone.now() + timedelta(minutes=40)
    stuck_after = timedelta(seconds=settings.BOX_PUSH_STUCK_AFTER_SECONDS)
    assert box_push_sweep(now=timezone.now() + stuck_after + timedelta(seconds=1)) == 0
    assert box_push_sweep(now=retry.not_before + stuck_after + timedelta(seconds=1)) == 1


@pytest.fixture
def patient_box_worker_env(box_worker_env, monkeypatch):
    """The worker waits for Box's answers long enough to be killed while it waits."""
    monkeypatch.setenv("BOX_REQUEST_TIMEOUT_SECONDS", "30")
    return box_worker_env


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_upload_leaves_one_version_in_box(
    patient_box_worker_env, celery_worker_process, deliverable
):
    fake_box = patient_box_worker_env
    add_revision(deliverable)
    # Box takes two seconds over the upload; the worker is killed (SIGKILL) while it waits, after Box has it.
    fake_box.fail_next(1, mode="slow", delay=2.0, path="/api/2.0/files/content")
    approve(deliverable)

    def uploading():  # the fake has taken the upload request and is sitting on it
        return fake_box.rules[-1].remaining == 0

    assert wait_for(uploading), _worker_output(celery_worker_process)
    celery_worker_process.kill()
    celery_worker_process.wait(timeout=20)
    assert wait_for(lambda: files(fake_box))
    [row] = rows(deliverable)
    assert row.outcome == "running" and row.lease_expires_at is not None

    # Nobody renews the lease; rather than wait the minutes it has left, it runs out now. The sweep (here
    # in-process) finds it and hands the push to a new attempt.
    assert box_push_sweep() == 0
    BoxPushLog.objects.filter(pk=row.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        assert box_push_sweep() == 1
    finally:
        celery_app.conf.task_always_eager = saved
    row.refresh_from_db()
    assert (row.outcome, row.file_reused, row.attempt) == ("sent", True, 1)
    assert len(the_file(fake_box).versions) == 1
