"""An approval delivered by a real Celery worker on Redis, retry included, to the receiver on loopback."""

import time

import pytest
from standardwebhooks import Webhook

from integrations.outbound.models import OutboundDelivery

from .conftest import approve


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def outbound_worker(monkeypatch, request):
    """The worker process reads its settings from the environment: the receiver's host is exempt, retries quick."""
    monkeypatch.setenv("OUTBOUND_WEBHOOK_EXEMPT_HOSTS", "127.0.0.1")
    monkeypatch.setenv("OUTBOUND_WEBHOOK_RETRY_SCHEDULE", "1,1,1")
    monkeypatch.setenv("TRACKER_PUBLIC_URL", "https://tracker.example.com")
    return request.getfixturevalue("celery_worker_process")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_delivers_an_approval_after_one_failed_attempt(
    receiver, endpoint_for, deliverable, outbound_worker
):
    _, secret = endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(500)
    approve(deliverable)  # autocommit: the delivery row commits with the change, its message goes out on commit

    def done():
        return OutboundDelivery.objects.filter(status__in=["succeeded", "failed"]).exists()

    assert wait_for(done), _worker_output(outbound_worker)
    delivery = OutboundDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert [a.status_code for a in delivery.attempt_rows.order_by("number")] == [500, 200]
    first, second = receiver.requests
    assert first.header("webhook-id") == second.header("webhook-id") == delivery.message_id
    assert Webhook(secret).verify(second.body, second.headers)["event"] == "deliverable.approved"


def _worker_output(process) -> str:
    process.terminate()
    out, _ = process.communicate(timeout=20)
    return f"the worker did not finish the delivery; its output:\n{out}"
