import pytest

from tracker.tasks import ping


@pytest.mark.redis
def test_a_task_runs_on_a_real_worker_through_redis(celery_worker_process):
    result = ping.apply_async(args=["studio"], queue=celery_worker_process.queue)
    assert result.get(timeout=60) == "pong:studio"
