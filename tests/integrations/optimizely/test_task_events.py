"""Task events on a deliverable linked to the task: steps through the step map and the state machine (a gate is
never passed), the assignee through the user map, the due date, an article as a note; and their order."""

import pytest

from deliverables.models import Stage
from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import Provider, UpstreamMapping
from tests.factories import UserFactory, advance_to, default_organisation
from tracker.models import Notification

from .conftest import fixture_json, post_cmp


def _last_note(deliverable):
    return deliverable.transitions.order_by("-id").first()


def _map(kind, value, target):
    UpstreamMapping.objects.create(
        organisation=default_organisation(), provider=Provider.OPTIMIZELY, kind=kind, upstream_value=value,
        target=target,
    )  # fmt: skip


def test_a_completed_step_completes_the_current_none_stage_through_the_default_map(client, linked, admin_user):
    advance_to(linked, "briefing", admin_user)  # CMP's "Brief" step is our Briefing stage by default
    response = post_cmp(client, "task__step_completed")
    assert response.json() == {"ok": True, "outcome": "applied", "action": "completed"}
    linked.refresh_from_db()
    assert linked.current_stage.name == "Concept"
    row = _last_note(linked)
    assert (row.intent, row.system, row.actor, row.stage_name) == ("complete", "Optimizely CMP", None, "Briefing")


def test_a_completed_step_at_a_gate_is_a_note_and_the_approver_is_told(client, linked, owner, admin_user):
    advance_to(linked, "internal-review", admin_user)
    body = fixture_json("task__step_completed", step={"id": "s-4", "name": "Review", "status": "completed"})
    assert post_cmp(client, body).json()["action"] == "noted"
    linked.refresh_from_db()
    assert (linked.current_stage.name, linked.current_stage.status) == ("Internal Review", Stage.Status.ACTIVE)
    assert "waits for an approval" in _last_note(linked).note
    assert Notification.objects.filter(recipient=owner, kind=Notification.Kind.STAGE_WAITING).count() == 1


def test_a_formal_stage_is_never_passed_from_cmp(client, linked, admin_user):
    advance_to(linked, "client-review", admin_user)
    post_cmp(client, fixture_json("task__step_completed", step={"name": "Client Review", "status": "completed"}))
    linked.refresh_from_db()
    assert linked.current_stage.name == "Client Review" and linked.status != "APPROVED"


def test_a_studios_step_mapping_wins_over_the_default(client, linked):
    _map(UpstreamMapping.Kind.STEP, "brief", "Pipeline")
    assert post_cmp(client, "task__step_completed").json()["action"] == "completed"
    linked.refresh_from_db()
    assert linked.current_stage.name == "New"


def test_a_step_mapped_to_nothing_is_ignored(client, linked):
    _map(UpstreamMapping.Kind.STEP, "Brief", "")
    assert post_cmp(client, "task__step_completed").json()["outcome"] == "ignored"
    assert WebhookReceipt.objects.latest("id").detail == "step 'Brief' is mapped to no stage"


@pytest.mark.parametrize(("fixture", "word"), [("task__step_started", "started"), ("task__step_skipped", "skipped")])
def test_a_started_or_skipped_step_is_a_note_only(client, linked, fixture, word):
    before = linked.current_stage_id
    assert post_cmp(client, fixture).json()["action"] == "noted"
    linked.refresh_from_db()
    note = _last_note(linked)
    assert linked.current_stage_id == before and note.intent == "note" and word in note.note


def test_the_assignee_follows_the_user_map_by_name(client, linked):
    priya = UserFactory(username="praman", first_name="Priya", last_name="Raman")
    _map(UpstreamMapping.Kind.USER, "Priya Raman", "praman")
    assert post_cmp(client, "task__assignee_changed").json()["action"] == "assigned"
    linked.refresh_from_db()
    assert linked.assignee == priya and "Assigned to Priya Raman" in _last_note(linked).note


def test_the_assignee_follows_the_user_map_by_cmp_user_id(client, linked):
    sam = UserFactory(username="sam", email="sam@studio.example")
    _map(UpstreamMapping.Kind.USER, "5e8f1a2b3c4d5e6f7a8b9c0d", "sam@studio.example")
    post_cmp(client, "task__assignee_changed")
    linked.refresh_from_db()
    assert linked.assignee == sam


def test_an_assignee_nobody_here_matches_is_a_note(client, linked):
    assert post_cmp(client, "task__assignee_changed").json()["action"] == "noted"
    linked.refresh_from_db()
    assert linked.assignee is None and "no user here matches" in _last_note(linked).note


def test_the_due_date_is_set_with_a_note(client, linked):
    post_cmp(client, "task__due_date_changed")
    linked.refresh_from_db()
    assert linked.due_date.isoformat() == "2024-06-21"
    assert _last_note(linked).note == "Due date set to 21 Jun 2024 in Optimizely CMP"


def test_an_older_due_date_arriving_late_is_stale_and_does_not_overwrite(client, linked):
    post_cmp(client, "task__due_date_changed")  # 09:10, the 21st
    older = fixture_json("task__due_date_changed", due_date="2024-06-14", timestamp="2024-06-03T08:00:00Z")
    response = post_cmp(client, older)
    assert response.json()["outcome"] == "stale"
    linked.refresh_from_db()
    assert linked.due_date.isoformat() == "2024-06-21"
    assert WebhookReceipt.objects.latest("id").outcome == WebhookReceipt.Outcome.STALE


def test_a_newer_event_applies_after_an_older_one(client, linked):
    post_cmp(client, fixture_json("task__due_date_changed", due_date="2024-06-14", timestamp="2024-06-03T08:00:00Z"))
    post_cmp(client, "task__due_date_changed")
    linked.refresh_from_db()
    assert linked.due_date.isoformat() == "2024-06-21"


def test_order_is_per_thing_so_a_late_step_is_still_applied(client, linked, admin_user):
    """The step completed at 08:45 arrives after the assignee change of 09:05: a different thing, so applied."""
    advance_to(linked, "briefing", admin_user)
    post_cmp(client, "task__assignee_changed")
    assert post_cmp(client, "task__step_completed").json()["action"] == "completed"
    started_late = fixture_json("task__step_completed", timestamp="2024-06-03T08:00:00Z")
    started_late["event_name"], started_late["step"]["status"] = "task_step_started", "started"
    assert post_cmp(client, started_late).json()["outcome"] == "stale"  # the same step, older


def test_an_article_is_a_note_with_its_link(client, linked):
    assert post_cmp(client, "task__asset_added_article").json()["action"] == "noted"
    note = _last_note(linked).note
    assert "Article 665a0e9c8b1f2c3a4d5e6f71" in note
    assert "https://api.cmp.optimizely.com/v3/articles/665a0e9c8b1f2c3a4d5e6f71" in note
