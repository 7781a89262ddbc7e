"""/healthz and /readyz: JSON, unauthenticated, answered before the host check and the redirects, 503 naming the
failed check when a dependency is down."""

import datetime
import json
import time

import pytest
from django.test import Client, override_settings
from health_check.exceptions import ServiceUnavailable

from tests.conftest import require_broker, require_postgres
from tracker.health.checks import HEARTBEAT_CACHE_KEY, WorkerHeartbeat, heartbeat_record
from tracker.health.tasks import health_heartbeat

BASE = "/loreal-prod-tracker"
CLOSED_PORT_REDIS = "redis://:s3cret-redis-pass@127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _no_broker(settings):
    """Readiness as `make run` has it (tasks in-process); a test that wants the broker and worker checks sets one."""
    settings.CELERY_BROKER_URL = ""


def _get(path: str, **headers):
    response = Client().get(path, **headers)
    return response, json.loads(response.content)


def test_liveness_needs_nothing_but_the_process():
    # No database fixture: a liveness probe that touched the database would fail here.
    response, body = _get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == {"status": "ok", "checks": {}, "failed": []}


@pytest.mark.django_db
def test_readiness_checks_each_dependency_by_name():
    response, body = _get("/readyz")
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "OK", "migrations": "OK", "cache": "OK", "storage": "OK"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", f"{BASE}/healthz", f"{BASE}/readyz"])
@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["tracker.example.com"])
def test_probes_skip_host_check_https_redirect_and_login(path):
    # A container probe comes by address, over plain HTTP, with no session: it still gets its answer.
    response, body = _get(path, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200, body
    assert body["status"] == "ok"


def test_legacy_base_path_still_redirects_like_every_other_url():
    response = Client().get("/dow-prod-tracker/readyz")
    assert response.status_code == 308
    assert response["Location"] == f"{BASE}/readyz"


@pytest.mark.django_db
def test_a_pending_migration_makes_the_instance_not_ready():
    with override_settings(MIGRATION_MODULES={"tracker_health": "tests.deploy.pending_migrations"}):
        response, body = _get("/readyz")
    assert response.status_code == 503
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == "Unavailable: 1 migration(s) not applied"


def test_a_stale_heartbeat_is_reported_with_its_age():
    heartbeat_record(now=time.time() - 600)
    with pytest.raises(ServiceUnavailable, match=r"last worker heartbeat 6\d\d s ago"):
        WorkerHeartbeat(max_age=datetime.timedelta(seconds=120)).run()
    heartbeat_record()
    WorkerHeartbeat(max_age=datetime.timedelta(seconds=120)).run()


@pytest.mark.django_db(transaction=True)
def test_ready_on_postgres_redis_and_a_real_worker(celery_worker_process, settings):
    require_postgres()
    broker = require_broker()
    if not settings.CACHE_IS_SHARED:
        pytest.fail("set CACHE_URL to Redis: the worker's heartbeat must reach this process through it")
    settings.CELERY_BROKER_URL = broker
    from django.core.cache import cache

    cache.delete(HEARTBEAT_CACHE_KEY)
    response, body = _get("/readyz")
    assert response.status_code == 503
    assert body["checks"]["worker"] == "Unavailable: no worker heartbeat yet: beat and a worker must both run"

    health_heartbeat.delay()  # what beat sends; the worker process runs it
    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_CACHE_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)

    response, body = _get("/readyz")
    assert response.status_code == 200, body
    assert body["checks"] == {
        "database": "OK",
        "migrations": "OK",
        "cache": "OK",
        "storage": "OK",
        "broker": "OK",
        "worker": "OK",
    }


@pytest.mark.django_db
def test_cache_down_is_503_naming_it_without_leaking_the_address_or_secrets(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response, body = _get("/readyz")
    assert response.status_code == 503
    assert "cache" in body["failed"]
    assert body["checks"]["database"] == "OK"
    text = response.content.decode()
    for secret in ("s3cret-redis-pass", "127.0.0.1:1", settings.SECRET_KEY, settings.BRIEF_WEBHOOK_SECRET):
        assert secret not in text


@pytest.mark.django_db
def test_broker_down_is_503_naming_it(settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    heartbeat_record()
    response, body = _get("/readyz")
    assert response.status_code == 503
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"] == "Unavailable: Unable to connect to Redis: Connection Error"
    assert "s3cret-redis-pass" not in response.content.decode()


def test_a_probe_answers_from_a_thread_that_runs_an_event_loop():
    """Browser-driving tests run Django's client inside an event loop; the probe must answer there too. The loop
    runs on a thread of its own, so the test holds whatever the main thread is doing."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def probe():
        return _get("/healthz")

    with ThreadPoolExecutor(max_workers=1) as pool:
        response, body = pool.submit(asyncio.run, probe()).result()
    assert response.status_code == 200 and body["status"] == "ok"
