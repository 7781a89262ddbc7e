"""The Postgres backend pings a kept connection only after it sat idle (tracker/db_backends/postgresql)."""

import time

import psycopg
import pytest
from django.db import connections

from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)

# The wrapper itself, not the `connection` proxy, so monkeypatch restores its attributes where they live.
connection = connections["default"]


@pytest.fixture
def kept(monkeypatch):
    """The test's connection, kept between "requests" as in production (CONN_MAX_AGE), its pings counted."""
    require_postgres()
    connection.ensure_connection()
    monkeypatch.setattr(connection, "close_at", None)
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setitem(connection.settings_dict, "HEALTH_CHECK_AFTER_IDLE_SECONDS", 1.0)
    pings = []
    real = connection.is_usable

    def counted():
        pings.append(time.monotonic())
        return real()

    monkeypatch.setattr(connection, "is_usable", counted)
    return pings


def _request(query: str = "SELECT 1") -> list:
    """What Django does around a request: check the connection at its start, use it, check it at its end."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute(query)
        row = cursor.fetchone()
    connection.close_if_unusable_or_obsolete()
    return row


def _idle_for(seconds: float) -> None:
    connection._last_request_end = time.monotonic() - seconds


def test_a_connection_used_a_moment_ago_is_not_pinged(kept):
    _request()
    kept.clear()
    for _ in range(5):
        assert _request("SELECT 2") == (2,)
    assert kept == []


def test_a_connection_idle_past_the_window_is_pinged_first(kept):
    _request()
    kept.clear()
    _idle_for(5)
    assert _request("SELECT 3") == (3,)
    assert len(kept) == 1


def test_a_dropped_idle_connection_is_replaced_before_the_request_uses_it(kept):
    _request()
    backend = connection.connection.info.backend_pid
    with psycopg.connect(**_server(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    _idle_for(5)
    assert _request("SELECT 4") == (4,)  # the ping found it dead; the request ran on a new connection
    assert connection.connection.info.backend_pid != backend


def test_zero_pings_before_every_request(kept, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "HEALTH_CHECK_AFTER_IDLE_SECONDS", 0)
    for _ in range(3):
        _request()
    assert len(kept) == 3


def _server() -> dict:
    params = connection.get_connection_params()
    return {key: params[key] for key in ("host", "port", "user", "dbname") if params.get(key)}
