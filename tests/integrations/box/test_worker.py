"""The push through a real Celery worker on Redis, talking to the fake Box over HTTP."""

import time

import pytest

from integrations.box.models import BoxPushLog

from .conftest import add_revision, approve


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_approval_is_pushed_by_a_real_worker_with_a_retry(box_worker_env, celery_worker_process, deliverable):
    fake_box = box_worker_env
    add_revision(deliverable)
    fake_box.fail_next(1, status=503, path="/2.0/folders")
    approve(deliverable)  # transactional test: the event and then the task message go out on commit

    def done():
        return BoxPushLog.objects.filter(deliverable=deliverable, outcome__in=["sent", "failed"]).exists()

    assert wait_for(done), _worker_output(celery_worker_process)
    rows = list(BoxPushLog.objects.filter(deliverable=deliverable).order_by("attempt"))
    assert [(r.attempt, r.outcome) for r in rows] == [(1, "retry"), (2, "sent")]
    folder = fake_box.folder_named("OMG-24017_hero-banner_v1", fake_box.root_id)
    assert folder is not None and [f.name for f in fake_box.children(folder.id, "file")] == ["hero-banner.png"]


def _worker_output(process) -> str:
    process.terminate()
    out, _ = process.communicate(timeout=20)
    return f"the worker did not finish the push; its output:\n{out}"
