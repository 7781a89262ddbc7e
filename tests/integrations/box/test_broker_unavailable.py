"""When the Celery broker (Redis) is down or hung, an approval still commits at once; its push stays a "queued"
row, the failed send is logged, and the sweep sends it once the broker is back."""

import logging
import time

import pytest

from integrations.box.models import BoxPushLog
from tests.netfaults import closed_port, silent_server
from tracker import celery_app

from .conftest import add_revision, approve

pytestmark = pytest.mark.django_db

# A hang guard, not a benchmark: one connect plus one socket timeout (2 s + 5 s by default) at most.
HANG_GUARD_SECONDS = 12.0


@pytest.fixture(params=["closed-port", "never-answers"])
def broken_broker(request, monkeypatch):
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url

    def use(url: str, eager: bool) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its own setting: set both.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url
        # The producer pool is made once, for the broker URL of the moment: forget it so the next send (and,
        # after the test, the real broker's) gets a pool for the URL now configured.
        celery_app.amqp._producer_pool = None

    if request.param == "closed-port":
        use(f"redis://127.0.0.1:{closed_port()}/0", eager=False)
        yield
    else:
        with silent_server() as server:
            use(f"redis://127.0.0.1:{server.port}/0", eager=False)
            yield
    monkeypatch.undo()
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
    celery_app.amqp._producer_pool = None


def test_an_approval_commits_and_its_push_waits_as_a_row(
    fake_box, deliverable, broken_broker, caplog, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)
    elapsed = time.monotonic() - started

    [row] = BoxPushLog.objects.filter(deliverable=deliverable)
    assert row.outcome == BoxPushLog.Outcome.QUEUED
    assert elapsed < HANG_GUARD_SECONDS
    assert any(r.getMessage() == "box.push_enqueue_failed" and r.levelno == logging.ERROR for r in caplog.records)
