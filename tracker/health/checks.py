"""The readiness checks, named as `/readyz` reports them.

django-health-check has checks for the database, the cache, a Redis broker and file storage; these two plugins
cover what it has none for. Every message a check raises is shown to anyone who asks `/readyz`, so it names
what failed and never a host, a URL or a secret.
"""

import dataclasses
import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError

HEARTBEAT_CACHE_KEY = "tracker:health:worker-heartbeat"


def heartbeat_record(now: float | None = None) -> None:
    """Store when a worker last ran the heartbeat task (epoch seconds). No expiry: /readyz reports the age."""
    cache.set(HEARTBEAT_CACHE_KEY, time.time() if now is None else now, timeout=None)


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """Beat queues `tracker.health_heartbeat` every HEALTH_HEARTBEAT_SECONDS and a worker records it in the shared
    cache; an absent or old heartbeat means beat, the broker or every worker has stopped. One cache read, so it
    costs nothing on every probe (a Celery ping would wait on a broadcast round trip)."""

    max_age: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=120))

    def run(self) -> None:
        try:
            beat = cache.get(HEARTBEAT_CACHE_KEY)
        except (RedisError, OSError) as error:
            raise ServiceUnavailable("cache unreachable, so the heartbeat is unknown") from error
        if beat is None:
            raise ServiceUnavailable("no worker heartbeat yet: beat and a worker must both run")
        age = time.time() - float(beat)
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"last worker heartbeat {age:.0f} s ago")


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration this code knows of is applied: new code on an old schema fails in odd places, so an
    instance started before `migrate` finished is not ready."""

    alias: str = "default"

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            # Runs in a thread of django-health-check's executor: open and close a connection of its own.
            with connection.temporary_connection():
                executor = MigrationExecutor(connection)
                plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("cannot read the migration history") from error
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


def _broker_client() -> AsyncRedis:
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    return AsyncRedis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout)


def readiness_checks() -> dict[str, HealthCheck]:
    """What must work for this instance to take traffic. The broker and the worker heartbeat are checked only
    when a broker is configured: without one (`make run`) tasks run in the web process itself."""
    timeout = datetime.timedelta(seconds=settings.HEALTH_CHECK_TIMEOUT_SECONDS)
    checks: dict[str, HealthCheck] = {
        "database": Database(),
        "migrations": MigrationsApplied(),
        "cache": Cache(timeout=timeout),
        "storage": Storage(),
    }
    if settings.CELERY_BROKER_URL:
        checks["broker"] = Redis(client_factory=_broker_client)
        checks["worker"] = WorkerHeartbeat(
            max_age=datetime.timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS)
        )
    return checks


def liveness_checks() -> dict[str, HealthCheck]:
    """Liveness asks only that the process answers: a dependency that is down must not get it restarted."""
    return {}
