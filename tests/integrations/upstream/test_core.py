"""The adapter core: a step reported done upstream never passes a gate, dedupe and ordering, mappings, secret
rotation on the guide's receivers, and the integrations settings page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from deliverables.models import Deliverable, Stage, Transition
from deliverables.services import StepOutcome, deliverable_hold
from integrations.inbound.models import WebhookReceipt
from integrations.inbound.services import webhook_receipt_record
from integrations.upstream import registry, services
from integrations.upstream.models import Provider, UpstreamMapping
from tests.factories import (
    ClientTeamFactory,
    ProjectFactory,
    UserFactory,
    advance_to,
    default_organisation,
    make_deliverable,
)
from tests.integrations.inbound.conftest import fixture_bytes, post_webhook
from tracker.models import Notification, User

CF = Provider.CREATIVE_FORCE
PAGE = reverse_lazy("upstream:integrations")
SYSTEM = "Creative Force"


@pytest.fixture
def owned_deliverable(producer):
    return make_deliverable(ProjectFactory(owner=producer), name="AW2130146")


def _current(deliverable):
    deliverable.refresh_from_db()
    return deliverable.current_stage


def test_a_step_reported_done_completes_the_current_none_stage(owned_deliverable):
    assert _current(owned_deliverable).name == "Pipeline"
    outcome = services.report_step(owned_deliverable, stage_name="pipeline", system=SYSTEM)
    assert outcome == StepOutcome.COMPLETED
    assert _current(owned_deliverable).name == "New"
    row = Transition.objects.filter(deliverable=owned_deliverable).latest("id")
    assert (row.intent, row.system, row.actor, row.stage_name) == ("complete", SYSTEM, None, "Pipeline")


def test_a_step_reported_done_at_a_gate_is_a_note_and_a_notification(owned_deliverable, producer, admin_user):
    advance_to(owned_deliverable, "internal-review", admin_user)
    outcome = services.report_step(owned_deliverable, stage_name="Internal Review", system=SYSTEM)
    assert outcome == StepOutcome.NOTED
    stage = _current(owned_deliverable)
    assert (stage.name, stage.status) == ("Internal Review", Stage.Status.ACTIVE)  # the gate holds
    note = Transition.objects.filter(deliverable=owned_deliverable).latest("id")
    assert note.intent == "note" and "waits for an approval" in note.note
    assert note.from_status == note.to_status
    waiting = Notification.objects.get(recipient=producer, kind=Notification.Kind.STAGE_WAITING)
    assert "Internal Review" in waiting.title and waiting.url == reverse(
        "deliverables:detail", args=[owned_deliverable.pk]
    )


def test_a_formal_stage_is_never_passed_from_upstream(owned_deliverable, admin_user):
    advance_to(owned_deliverable, "client-review", admin_user)
    assert services.report_step(owned_deliverable, stage_name="Client Review", system=SYSTEM) == StepOutcome.NOTED
    assert _current(owned_deliverable).name == "Client Review"
    owned_deliverable.refresh_from_db()
    assert owned_deliverable.status != Deliverable.Status.APPROVED


def test_a_later_step_waits_and_a_done_step_changes_nothing(owned_deliverable, admin_user):
    assert services.report_step(owned_deliverable, stage_name="Design", system=SYSTEM) == StepOutcome.NOTED
    assert _current(owned_deliverable).name == "Pipeline"
    assert "waiting for Pipeline" in Transition.objects.latest("id").note
    advance_to(owned_deliverable, "new", admin_user)
    count = Transition.objects.count()
    assert services.report_step(owned_deliverable, stage_name="Pipeline", system=SYSTEM) == StepOutcome.UNCHANGED
    assert Transition.objects.count() == count


def test_an_unknown_step_or_a_held_deliverable_is_noted(owned_deliverable, admin_user):
    assert services.report_step(owned_deliverable, stage_name="Retouch", system=SYSTEM) == StepOutcome.NOTED
    assert "no stage of this pipeline" in Transition.objects.latest("id").note
    deliverable_hold(deliverable=owned_deliverable, actor=admin_user)
    assert services.report_step(owned_deliverable, stage_name="Pipeline", system=SYSTEM) == StepOutcome.NOTED
    assert _current(owned_deliverable).name == "Pipeline"


def test_hold_by_upstream_and_archive_leave_history(owned_deliverable):
    services.hold(owned_deliverable, system=SYSTEM, text="Product deleted in Creative Force")
    owned_deliverable.refresh_from_db()
    assert owned_deliverable.status == Deliverable.Status.ON_HOLD
    services.hold(owned_deliverable, system=SYSTEM, text="Deleted again")  # already held: a note, no error
    project = services.archive(owned_deliverable.project, system=SYSTEM, text="Job deleted in Creative Force")
    assert project.status == "ARCHIVED"
    notes = list(Transition.objects.filter(deliverable=owned_deliverable).order_by("id").values_list("intent", "note"))
    assert notes == [
        ("hold", "Product deleted in Creative Force"),
        ("note", "Deleted again"),
        ("note", "Job deleted in Creative Force"),
    ]


def test_a_payload_is_claimed_once(db):
    assert services.payload_claim(provider=CF, payload_id="c02f0f73") is True
    assert services.payload_claim(provider=CF, payload_id="c02f0f73") is False
    assert services.payload_claim(provider=Provider.OPTUMUS, payload_id="c02f0f73") is True


def test_an_older_event_is_stale_and_time_never_moves_back(db):
    org = default_organisation()
    obj = services.object_lock(organisation=org, provider=CF, kind="job", external_id="d84eef10")
    later = datetime(2026, 5, 6, 10, tzinfo=UTC)
    assert not services.object_is_stale(obj, later)
    services.object_touch(obj, event_at=later)
    assert services.object_is_stale(obj, later - timedelta(seconds=1))
    assert not services.object_is_stale(obj, later)  # the same time again is a redelivery, not stale
    services.object_touch(obj, event_at=later - timedelta(hours=1))
    obj.refresh_from_db()
    assert obj.last_event_at == later


def test_mappings_default_and_override_ignoring_case(db):
    org = default_organisation()
    kind = UpstreamMapping.Kind.STEP
    assert services.mapped(organisation=org, provider=CF, kind=kind, value="Photography", default="Photo") == "Photo"
    UpstreamMapping.objects.create(organisation=org, provider=CF, kind=kind, upstream_value="photography",
                                   target="Design")  # fmt: skip
    assert services.mapped(organisation=org, provider=CF, kind=kind, value="PHOTOGRAPHY", default="x") == "Design"
    UpstreamMapping.objects.create(organisation=org, provider=CF, kind=kind, upstream_value="Retouch", target="")
    assert services.mapped(organisation=org, provider=CF, kind=kind, value="retouch", default="x") is None


def test_a_status_mapping_must_name_one_of_our_statuses(db):
    row = UpstreamMapping(organisation=default_organisation(), provider=CF, kind="project_status",
                          upstream_value="In Progress", target="BUSY")  # fmt: skip
    with pytest.raises(ValidationError):
        row.full_clean()
    row.target = "ACTIVE"
    row.full_clean()


def test_team_and_user_mappings(db):
    org = default_organisation()
    ClientTeamFactory(name="Acme Corp", slug="acme")
    assert services.mapped_team(organisation=org, provider=CF, value="acme corp").slug == "acme"
    assert services.mapped_team(organisation=org, provider=CF, value="Unknown Brand") is None
    user = UserFactory(username="mia", email="mia@studio.example", role=User.Role.PRODUCER)
    assert services.mapped_user(organisation=org, provider=CF, values=["19e62847", "MIA@studio.example"]) == user
    UpstreamMapping.objects.create(organisation=org, provider=CF, kind="user", upstream_value="19e62847",
                                   target="mia")  # fmt: skip
    assert services.mapped_user(organisation=org, provider=CF, values=["19e62847"]) == user
    user.is_active = False
    user.save()
    assert services.mapped_user(organisation=org, provider=CF, values=["19e62847"]) is None


# --- Secret rotation on the guide's receivers -------------------------------------------------------------------


def test_the_guide_receivers_accept_the_previous_secret_during_a_rotation(client, settings, db):
    settings.BRIEF_WEBHOOK_SECRET = "new-secret"
    settings.BRIEF_WEBHOOK_SECRET_PREVIOUS = "old-secret"
    body = fixture_bytes("briefs", "brief__created")
    assert post_webhook(client, "briefs", body, secret="old-secret").status_code == 200
    assert post_webhook(client, "briefs", body, secret="new-secret").status_code == 200
    refused = post_webhook(client, "briefs", body, secret="another-secret")
    assert (refused.status_code, refused.json()) == (401, {"error": "signature mismatch"})
    settings.BRIEF_WEBHOOK_SECRET_PREVIOUS = ""
    assert post_webhook(client, "briefs", body, secret="old-secret").status_code == 401


def test_a_previous_secret_alone_does_not_configure_a_route(client, settings, db):
    settings.OMG_WEBHOOK_SECRET = ""
    settings.OMG_WEBHOOK_SECRET_PREVIOUS = "old-secret"
    response = post_webhook(client, "omg", fixture_bytes("omg", "job__updated"), secret="old-secret")
    assert response.status_code == 200  # still accepted: the operator has not cleared it yet
    settings.OMG_WEBHOOK_SECRET_PREVIOUS = ""
    assert post_webhook(client, "omg", fixture_bytes("omg", "job__updated"), secret="old-secret").json() == {
        "error": "OMG_WEBHOOK_SECRET not configured"
    }


# --- Settings → Integrations ------------------------------------------------------------------------------------


@pytest.fixture
def registered(monkeypatch, settings):
    adapters = {}
    monkeypatch.setattr(registry, "_ADAPTERS", adapters)
    settings.CREATIVE_FORCE_WEBHOOK_SECRET = "cf-secret"
    settings.OPTUMUS_WEBHOOK_SECRET = ""
    registry.register_adapter(registry.Adapter(CF, "Creative Force", [("creativeforce", "inbound:webhook-briefs")],
                                               "CREATIVE_FORCE_WEBHOOK_SECRET"))  # fmt: skip
    registry.register_adapter(registry.Adapter(Provider.OPTUMUS, "Optumus", [("optumus", "inbound:webhook-omg")],
                                               "OPTUMUS_WEBHOOK_SECRET"))  # fmt: skip
    return adapters


def _receipts(route, outcome, event, n):
    for _ in range(n):
        status = 401 if outcome == "REJECTED" else 200
        webhook_receipt_record(route=route, status_code=status, event=event, outcome=outcome if status < 400 else "")


def test_the_integrations_page_shows_each_adapter_its_counts_and_receipts(client, admin_user, registered):
    _receipts("creativeforce", "ACCEPTED", "Task completed", 3)
    _receipts("creativeforce", "IGNORED", "User UserLoggedIn", 2)
    _receipts("creativeforce", "REJECTED", "", 1)
    _receipts("briefs", "ACCEPTED", "created", 4)  # not an adapter's route
    client.force_login(admin_user)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="adapter-configured"' in page and 'data-testid="adapter-unconfigured"' in page
    assert "http://testserver" + reverse("inbound:webhook-briefs") in page  # the registered route's absolute URL
    health = {h.adapter.provider: h for h in response.context["healths"]}
    assert (health[CF].total, health[CF].failed) == (6, 1)
    assert {row.event: row.by_outcome for row in health[CF].events}["Task completed"] == {"ACCEPTED": 3}
    assert len(response.context["receipts"]) == 6
    ignored = client.get(str(PAGE) + "?outcome=IGNORED&provider=creativeforce").context["receipts"]
    assert [r.event for r in ignored] == ["User UserLoggedIn"] * 2


def test_the_integrations_page_runs_a_fixed_number_of_queries(client, admin_user, registered):
    client.force_login(admin_user)
    _receipts("creativeforce", "ACCEPTED", "Job created", 1)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for event in ("Job updated", "Task started", "Product reset"):
        _receipts("creativeforce", "ACCEPTED", event, 5)
        _receipts("optumus", "STALE", event, 5)
    with CaptureQueriesContext(connection) as many:
        client.get(PAGE)
    assert len(many) == len(few)


def test_only_admins_see_the_integrations_page(client, producer, registered):
    client.force_login(producer)
    assert client.get(PAGE).status_code == 403
    client.logout()
    assert client.get(PAGE).status_code == 302
    assert WebhookReceipt.objects.count() == 0


def test_applied_payloads_are_forgotten_after_their_retention(db, settings):
    from integrations.upstream.models import ProcessedPayload
    from tracker.retention import retention_prune

    settings.UPSTREAM_PAYLOAD_RETENTION_DAYS = 30
    services.payload_claim(provider=CF, payload_id="old")
    services.payload_claim(provider=CF, payload_id="recent")
    ProcessedPayload.objects.filter(payload_id="old").update(created_at=datetime.now(UTC) - timedelta(days=31))
    report = retention_prune(only=["upstream.payloads"])
    assert report.removed["upstream.ProcessedPayload"] == 1
    assert list(ProcessedPayload.objects.values_list("payload_id", flat=True)) == ["recent"]
