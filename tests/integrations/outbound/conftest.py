"""Fixtures for outbound webhooks: the loopback receiver, a clock the tests move, DNS answers the tests choose,
and endpoints made through the services."""

import socket
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from deliverables.models import Deliverable
from deliverables.services import deliverable_set_by_upstream
from integrations.outbound.services import outbound_endpoint_create
from integrations.webhooks import addresses
from tests.factories import ProjectFactory, default_organisation, make_deliverable

from .receiver import Receiver


@pytest.fixture(autouse=True)
def outbound_settings(settings):
    """The receiver runs on 127.0.0.1 over plain http: the one host exempt from the URL rules here."""
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1"]
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.com"
    settings.OUTBOUND_WEBHOOK_TIMEOUT_SECONDS = 2.0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


class Clock:
    """The time the outbound services see (`integrations.outbound.clock.now`), moved by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def to(self, when: datetime) -> datetime:
        self.now = when
        return self.now


@pytest.fixture
def clock(monkeypatch):
    moved = Clock(timezone.now())
    monkeypatch.setattr("integrations.outbound.clock.now", moved)
    return moved


@pytest.fixture
def dns(monkeypatch):
    """`dns["hooks.partner.example"] = ["93.184.215.14"]`: the answers `addresses.resolve` gives (there is no
    public DNS here). An unknown name does not resolve. `dns.calls` lists every lookup."""

    class Answers(dict):
        calls: list

    answers = Answers()
    answers.calls = []

    def resolve(host: str, port: int) -> list[str]:
        answers.calls.append(host)
        if host == "127.0.0.1":
            return ["127.0.0.1"]
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        value = answers[host]
        return list(value() if callable(value) else value)

    monkeypatch.setattr(addresses, "resolve", resolve)
    return answers


@pytest.fixture
def endpoint_for(admin_user):
    """`endpoint_for(url, events=[...])` -> (endpoint, secret), made by the create service as an admin."""

    def make(url: str, *, events=(), all_events: bool | None = None, organisation=None, description=""):
        return outbound_endpoint_create(
            organisation=organisation or default_organisation(),
            actor=admin_user,
            url=url,
            description=description,
            events=list(events),
            all_events=not events if all_events is None else all_events,
        )

    return make


@pytest.fixture
def deliverable(db):
    project = ProjectFactory(name="Summer campaign", omg_job_number="OMG-24017")
    return make_deliverable(project=project, name="Hero banner")


def approve(deliverable: Deliverable, actor=None) -> Deliverable:
    return deliverable_set_by_upstream(
        deliverable=deliverable, status=Deliverable.Status.APPROVED, actor=actor, source="api", system="test"
    )
