"""Fixtures for the operations tests: the log as the production handler writes it, and the fake Box and the
webhook receiver the integration tests use."""

import io
import json
import logging

import pytest
from django.core.cache import cache

from tests.integrations.box.conftest import (  # noqa: F401  (fixtures)
    assignee,
    box_keys,
    box_worker_env,
    deliverable,
    fake_box,
    owner,
    project,
)
from tests.integrations.outbound.receiver import Receiver
from tracker.logging import JsonLineFormatter, RedactSecretsFilter, RequestContextFilter


class JsonLog:
    """What the production console handler would have written: JSON lines, through both filters."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonLineFormatter())
        self.handler.addFilter(RequestContextFilter())
        self.handler.addFilter(RedactSecretsFilter())

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def named(self, message: str) -> list[dict]:
        return [line for line in self.lines() if line["message"] == message]


@pytest.fixture
def json_log():
    """Captures every record at DEBUG as the production handler formats it."""
    log = JsonLog()
    root = logging.getLogger()
    saved = root.level
    root.addHandler(log.handler)
    root.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        root.removeHandler(log.handler)
        root.setLevel(saved)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1, which the URL rules let the outbound webhooks reach in tests."""
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1"]
    settings.OUTBOUND_WEBHOOK_TIMEOUT_SECONDS = 2.0
    server = Receiver().start()
    yield server
    server.stop()
