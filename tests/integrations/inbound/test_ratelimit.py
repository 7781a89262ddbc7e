"""100 requests per minute per source IP on each webhook route; over it a JSON 429 with a true Retry-After."""

import types
import zlib

import pytest
from django.test import RequestFactory

from integrations.inbound.models import WebhookReceipt
from integrations.webhooks.network import source_ip

from .conftest import post_webhook

pytestmark = pytest.mark.django_db

PERIOD = 60


class Clock:
    """Stands in for the `time` module inside django_ratelimit.core, so windows can be stepped through."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(1_800_000_000.0)
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=fake.time))
    return fake


def window_end(ip: str, now: int) -> int:
    """Where django-ratelimit's current fixed window for `ip` ends (same arithmetic as its `_get_window`)."""
    end = now - (now % PERIOD) + (zlib.crc32(ip.encode()) % PERIOD)
    return end + PERIOD if end < now else end


def brief(client, **extra):
    return post_webhook(client, "briefs", {"title": "Rate test"}, **extra)


def test_the_default_limit_is_100_a_minute_per_route(client, settings):
    assert settings.WEBHOOK_RATE_LIMIT == "100/m"
    statuses = [brief(client).status_code for _ in range(101)]
    assert statuses[:100] == [200] * 100
    assert statuses[100] == 429


def test_over_the_limit_answers_429_json_with_retry_after(client, settings, clock):
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    assert [brief(client).status_code for _ in range(2)] == [200, 200]
    response = brief(client)
    assert response.status_code == 429
    assert response.json() == {"error": "rate limit exceeded"}
    assert response["Content-Type"] == "application/json"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= PERIOD
    assert retry_after == window_end("127.0.0.1", int(clock.now)) - int(clock.now) + 1


def test_retry_after_is_the_true_wait_one_second_less_is_still_refused(client, settings, clock):
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    for _ in range(2):
        brief(client)
    retry_after = int(brief(client)["Retry-After"])
    start = clock.now

    clock.now = start + retry_after - 1
    refused = brief(client)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 1

    clock.now = start + retry_after
    assert brief(client).status_code == 200


def test_retry_after_is_never_zero_on_the_last_second_of_a_window(client, settings, clock):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    jitter = zlib.crc32(b"127.0.0.1") % PERIOD
    clock.now = float(1_800_000_000 - 1_800_000_000 % PERIOD + jitter)  # the window's very last second
    assert window_end("127.0.0.1", int(clock.now)) == int(clock.now)
    assert brief(client).status_code == 200
    response = brief(client)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    clock.now += 1
    assert brief(client).status_code == 200


def test_rejected_calls_count_too_and_are_refused_before_anything_else(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    post_webhook(client, "briefs", b"garbage", sign=False)
    post_webhook(client, "briefs", b"garbage", sign=False)
    response = post_webhook(client, "briefs", b"x" * (2 * 1024 * 1024), sign=False)
    assert response.status_code == 429


def test_each_route_has_its_own_counter(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    assert brief(client).status_code == 200
    assert brief(client).status_code == 429
    assert post_webhook(client, "omg", {"job": {"number": "OMG-1"}}).status_code == 200
    assert post_webhook(client, "deliverables", {"deliverable": {}}).status_code == 400


def test_each_source_ip_has_its_own_counter(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    assert brief(client, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert brief(client, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert brief(client, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    assert brief(client, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert brief(client, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429  # same REMOTE_ADDR


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    settings.TRACKER_TRUSTED_PROXIES = 1
    assert brief(client, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert brief(client, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 429
    assert brief(client, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 200
    assert WebhookReceipt.objects.filter(source_ip="2.2.2.2").count() == 1


def test_the_429_is_logged_as_a_receipt(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    brief(client)
    brief(client)
    receipt = WebhookReceipt.objects.order_by("-id").first()
    assert (receipt.status_code, receipt.outcome, receipt.error) == (429, "REJECTED", "rate limit exceeded")


def test_an_unreachable_cache_lets_calls_through(client, settings, caplog):
    settings.RATELIMIT_USE_CACHE = "nowhere"  # an alias that does not exist: the cache lookup raises
    assert brief(client).status_code == 200
    assert "inbound.ratelimit_unavailable" in caplog.text


# --- source IP ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "", "203.0.113.9"),
        (0, "1.1.1.1", "203.0.113.9"),
        (1, "", "203.0.113.9"),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),
        (2, "6.6.6.6, 1.1.1.1, 10.0.0.2", "1.1.1.1"),
        (2, "1.1.1.1", "203.0.113.9"),
        (1, "not-an-ip", "203.0.113.9"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_source_ip(settings, trusted, forwarded, expected):
    settings.TRACKER_TRUSTED_PROXIES = trusted
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert source_ip(request) == expected


@pytest.mark.redis
def test_the_limit_is_shared_by_every_web_process_through_the_cache(client, settings):
    """Calls counted by another process (another gunicorn worker) count here too: the counters are in Redis."""
    import os
    import subprocess
    import sys

    from tests.conftest import REQUIRE_SERVICES, ROOT

    if not settings.CACHE_IS_SHARED:
        if REQUIRE_SERVICES:
            pytest.fail("this test needs a shared (Redis) cache and CI requires it: set CACHE_URL")
        pytest.skip("needs a shared cache to prove the limit spans processes: set CACHE_URL to a Redis URL")
    script = (
        "import django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from integrations.webhooks.ratelimit import webhook_retry_after\n"
        "request = RequestFactory().post('/', REMOTE_ADDR='192.0.2.44')\n"
        "print([webhook_retry_after(request, route='briefs') for _ in range(3)])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "WEBHOOK_RATE_LIMIT": "3/m"}
    settings.WEBHOOK_RATE_LIMIT = "3/m"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[None, None, None]"
    response = brief(client, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 429
    assert brief(client, REMOTE_ADDR="192.0.2.45").status_code == 200
