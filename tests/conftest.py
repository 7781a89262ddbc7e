import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import UserFactory
from tracker import celery_app
from tracker.cache import forget_all
from tracker.models import User

ROOT = Path(__file__).resolve().parent.parent
# CI sets this: a test that needs Postgres or Redis must run there, never skip.
REQUIRE_SERVICES = os.environ.get("TRACKER_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _forget_read_caches():
    """A test's rows are rolled back, never committed: the read caches they filled must go with them."""
    yield
    forget_all()


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("this test needs Postgres and CI requires it: set DATABASE_URL")
        pytest.skip("needs Postgres row locks and concurrent transactions: set DATABASE_URL to run it")


def require_program(name: str, install_hint: str) -> None:
    """A test that drives a real program (nginx, Apache, openssl): CI installs it (`.ci/run`) and requires it."""
    import shutil

    if shutil.which(name) is None:
        if REQUIRE_SERVICES:
            pytest.fail(f"this test needs {name} and CI requires it: {install_hint}")
        pytest.skip(f"needs {name}: {install_hint}")


def require_broker() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("this test needs a Redis broker and CI requires it: set CELERY_BROKER_URL")
        pytest.skip("needs a real Celery worker on Redis: set CELERY_BROKER_URL to run it")
    return url


def require_shared_cache() -> str:
    """A test of what several web processes share (rate limits, sign-in lockouts) needs CACHE_URL on Redis."""
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("this test needs a Redis cache and CI requires it: set CACHE_URL")
        pytest.skip("needs a cache shared between processes: set CACHE_URL to a Redis URL to run it")
    return url


def _uses_transactional_db(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server", "celery_worker_process"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _default_organisation_rows(request, django_db_setup, django_db_blocker):
    """Transactional tests end with a flush, which also drops the rows the migrations seeded (the default
    organisation, its teams and pipeline). Put them back before each such test, the way the migration made them."""
    if not _uses_transactional_db(request):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    importlib.import_module("projects.migrations.0003_default_organisation_teams_pipeline").create_defaults(apps, None)


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Eager tasks that run in parallel threads (the race tests) share Celery's process-wide "a task is running,
    joining would block" flag, which each eager call sets and restores: interleaved threads can leave it set, and a
    later test's `result.get()` on a real worker would then refuse to wait. Every test ends with it as it began."""
    from celery import _state as celery_state

    saved = celery_state.task_join_will_block()
    yield
    celery_state._set_task_join_will_block(saved)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", role=User.Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def producer(db):
    return UserFactory(username="priya", role=User.Role.PRODUCER)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rui", role=User.Role.REVIEWER)


@pytest.fixture
def viewer(db):
    return UserFactory(username="vic", role=User.Role.VIEWER)


def _database_url_for_worker() -> str:
    """The URL of the database the tests use right now (the test database), for a worker process."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        user = s.get("USER") or "postgres"
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on the Redis broker, using the test database. Yields the process."""
    broker = require_broker()
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": os.environ.get("CELERY_RESULT_BACKEND", broker),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # What the worker itself queues (a retry, the next delivery) goes to the queue it consumes.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": _database_url_for_worker(),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.queue = queue
    # Send this test's tasks for real, to the queue only this worker consumes.
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = False, queue
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def csrf_client():
    """`csrf_client(user)`: a test client that enforces CSRF like a browser session, signed in as `user`
    (or anonymous with None), sending a valid CSRF cookie and `X-CSRFToken` header on every request."""
    from django.test import Client

    def make(user=None, csrf: bool = True):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        if csrf:
            token = "Q" * 32
            client.cookies["csrftoken"] = token
            client.defaults["HTTP_X_CSRFTOKEN"] = token
        return client

    return make
