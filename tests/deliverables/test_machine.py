"""The deliverable state machine: the table, the intents, the history they write and the gates nobody bypasses."""

import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from deliverables import machine
from deliverables.machine import TRANSITIONS, Intent
from deliverables.models import Deliverable, Stage, Transition
from deliverables.services import (
    deliverable_approve_stage,
    deliverable_complete_stage,
    deliverable_hold,
    deliverable_pass_formal_stage,
    deliverable_reject,
    deliverable_release,
    deliverable_reopen_stage,
    deliverable_request_changes,
    deliverable_set_by_upstream,
    deliverable_start_review,
)
from projects.models import ApprovalType
from projects.services import pipeline_stage_update
from reviews.services import revision_upload
from tests.factories import (
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    advance_to,
    make_deliverable,
)
from tests.integrations.inbound.conftest import post_webhook
from tracker.errors import ConflictError

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _trail(deliverable):
    return list(
        Transition.objects.filter(deliverable=deliverable)
        .order_by("id")
        .values_list("intent", "from_status", "to_status", "stage_name", "source")
    )


# --- The table --------------------------------------------------------------------------------------------------


def test_every_intent_has_a_row_and_every_target_is_a_status():
    assert set(TRANSITIONS) == set(Intent)
    for row in TRANSITIONS.values():
        for source, targets in row.items():
            assert source in Deliverable.Status.values
            assert targets and set(targets) <= set(Deliverable.Status.values)


def test_a_person_may_only_hold_and_release_by_hand():
    assert machine.MANUAL_INTENTS == (Intent.HOLD, Intent.RELEASE)
    assert {targets for targets in TRANSITIONS[Intent.HOLD].values()} == {(Deliverable.Status.ON_HOLD,)}
    assert list(TRANSITIONS[Intent.RELEASE]) == [Deliverable.Status.ON_HOLD]  # back to where the hold began


def test_the_committed_state_diagram_is_the_one_the_table_draws(capsys):
    call_command("deliverable_state_diagram")
    drawn = capsys.readouterr().out
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    block = architecture.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == drawn, "docs/ARCHITECTURE.md: paste the output of `manage.py deliverable_state_diagram`"


# --- History on every transition ----------------------------------------------------------------------------


def test_each_intent_writes_one_history_row_with_who_and_from_where(producer):
    deliverable = make_deliverable()
    first = deliverable.current_stage
    deliverable_complete_stage(deliverable=deliverable, stage=first, actor=producer)
    deliverable_hold(deliverable=deliverable, actor=producer, note="Client paused")
    deliverable_release(deliverable=deliverable, actor=producer)

    rows = list(Transition.objects.filter(deliverable=deliverable).order_by("id"))
    assert [(r.intent, r.from_status, r.to_status) for r in rows] == [
        ("complete", "NOT_STARTED", "IN_PROGRESS"),
        ("hold", "IN_PROGRESS", "ON_HOLD"),
        ("release", "ON_HOLD", "IN_PROGRESS"),
    ]
    assert all(r.actor == producer and r.source == "ui" for r in rows)
    assert rows[0].stage == first and rows[0].stage_name == "Pipeline"
    assert rows[1].note == "Client paused"


def test_a_refused_intent_writes_nothing(producer):
    deliverable = make_deliverable()
    deliverable_hold(deliverable=deliverable, actor=producer)
    with pytest.raises(ConflictError, match="on hold: release it"):
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    with pytest.raises(ConflictError, match="already on hold"):
        deliverable_hold(deliverable=deliverable, actor=producer)
    assert [row[0] for row in _trail(deliverable)] == ["hold"]
    assert deliverable.stages.get(order=0).status == Stage.Status.ACTIVE


def test_release_returns_to_the_status_held_from(producer):
    deliverable = make_deliverable()
    advance_to(deliverable, "design", producer).current_stage
    deliverable_hold(deliverable=deliverable, actor=producer)
    assert deliverable_release(deliverable=deliverable, actor=producer).status == Deliverable.Status.IN_PROGRESS


def test_upstream_sets_any_status_recorded_with_its_system(producer):
    deliverable = make_deliverable()
    deliverable_set_by_upstream(deliverable=deliverable, status="APPROVED", source="api", system="API key OMG sync")
    row = Transition.objects.get(deliverable=deliverable)
    assert (row.intent, row.to_status, row.actor, row.system, row.source) == (
        "set_by_upstream", "APPROVED", None, "API key OMG sync", "api",
    )  # fmt: skip


# --- Review intents -------------------------------------------------------------------------------------------


def test_a_review_round_trip_reads_as_history(producer, reviewer):
    deliverable = make_deliverable()
    formal = advance_to(deliverable, "client-review", producer).current_stage
    deliverable_start_review(deliverable=deliverable, stage=formal, actor=reviewer)
    deliverable_request_changes(deliverable=deliverable, stage=formal, actor=reviewer, note="Logo too small")
    deliverable.refresh_from_db()
    assert deliverable.current_stage.slug == "amends" and deliverable.status == "IN_PROGRESS"
    deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    deliverable_start_review(deliverable=deliverable, stage=formal, actor=reviewer)
    deliverable_reject(deliverable=deliverable, stage=formal, actor=reviewer, note="Wrong product")
    deliverable = deliverable_pass_formal_stage(deliverable=deliverable, stage=formal, actor=reviewer)

    assert [row[:3] for row in _trail(deliverable)][-6:] == [
        ("start_review", "IN_PROGRESS", "IN_REVIEW"),
        ("request_changes", "IN_REVIEW", "IN_PROGRESS"),
        ("complete", "IN_PROGRESS", "IN_PROGRESS"),
        ("start_review", "IN_PROGRESS", "IN_REVIEW"),
        ("reject", "IN_REVIEW", "IN_PROGRESS"),
        ("pass_formal", "IN_PROGRESS", "IN_PROGRESS"),
    ]
    assert Transition.objects.filter(intent="reject", note="Wrong product", source="review_session").exists()


def test_passing_the_last_formal_stage_approves(producer):
    deliverable = make_deliverable()
    final = advance_to(deliverable, "final-approval", producer).current_stage
    deliverable = deliverable_pass_formal_stage(deliverable=deliverable, stage=final, actor=producer)
    assert deliverable.status == "APPROVED" and deliverable.current_stage.slug == "delivery"


# --- Reopen -------------------------------------------------------------------------------------------------


def test_reopen_makes_the_last_completed_stage_current_again(producer):
    deliverable = make_deliverable()
    concept = advance_to(deliverable, "concept", producer).current_stage
    briefing = deliverable.stages.get(slug="briefing")
    deliverable = deliverable_reopen_stage(deliverable=deliverable, stage=briefing, actor=producer, note="Too early")

    briefing.refresh_from_db()
    concept.refresh_from_db()
    assert (briefing.status, briefing.completed_by) == (Stage.Status.ACTIVE, None)
    assert concept.status == Stage.Status.PENDING
    assert deliverable.current_stage == briefing and deliverable.status == "IN_PROGRESS"
    assert _trail(deliverable)[-1] == ("reopen", "IN_PROGRESS", "IN_PROGRESS", "Briefing", "ui")


def test_reopening_the_only_completed_stage_is_not_started_again(producer):
    deliverable = make_deliverable()
    first = deliverable.current_stage
    deliverable_complete_stage(deliverable=deliverable, stage=first, actor=producer)
    assert deliverable_reopen_stage(deliverable=deliverable, stage=first, actor=producer).status == "NOT_STARTED"


def test_reopen_refuses_an_earlier_stage_and_a_formal_pass(producer):
    deliverable = make_deliverable()
    advance_to(deliverable, "concept", producer).current_stage
    with pytest.raises(ConflictError, match="only the last completed stage"):
        deliverable_reopen_stage(deliverable=deliverable, stage=deliverable.stages.get(slug="new"), actor=producer)
    advance_to(deliverable, "amends", producer).current_stage  # Client Review (FORMAL) passed last
    formal = deliverable.stages.get(slug="client-review")
    with pytest.raises(ConflictError, match="passed by a review session"):
        deliverable_reopen_stage(deliverable=deliverable, stage=formal, actor=producer)


# --- Four-eyes ----------------------------------------------------------------------------------------------


@pytest.fixture
def four_eyes_deliverable(admin_user):
    template = PipelineTemplateFactory(name="Four eyes")
    PipelineStageTemplateFactory(template=template, name="Make", slug="make", order=0)
    check = PipelineStageTemplateFactory(
        template=template, name="Check", slug="check", order=1, approval_type=ApprovalType.SIMPLE
    )
    pipeline_stage_update(stage=check, actor=admin_user, requires_different_approver=True)
    PipelineStageTemplateFactory(
        template=template, name="Sign-off", slug="sign-off", order=2, approval_type=ApprovalType.FORMAL
    )
    return make_deliverable(ProjectFactory(pipeline_template=template))


def test_four_eyes_refuses_the_uploader_and_accepts_someone_else(four_eyes_deliverable, producer, reviewer):
    deliverable = four_eyes_deliverable
    deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    revision_upload(deliverable=deliverable, file=ContentFile(b"%PDF-1.4\n", name="a.pdf"), actor=producer)
    check = deliverable.stages.get(slug="check")
    assert check.requires_different_approver

    with pytest.raises(ConflictError, match="second pair of eyes"):
        deliverable_approve_stage(deliverable=deliverable, stage=check, actor=producer)
    deliverable_approve_stage(deliverable=deliverable, stage=check, actor=reviewer)
    check.refresh_from_db()
    assert check.completed_by == reviewer


def test_the_stage_row_says_four_eyes(client, four_eyes_deliverable, producer):
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[four_eyes_deliverable.pk])).content.decode()
    assert 'data-testid="four-eyes-check"' in body and 'data-testid="four-eyes-make"' not in body


# --- Every path: pages, REST, v1, webhook ---------------------------------------------------------------------


def test_the_page_shows_the_table_refusal(client, producer):
    deliverable = make_deliverable()
    deliverable_hold(deliverable=deliverable, actor=producer)
    client.force_login(producer)
    stage = deliverable.current_stage
    response = client.post(reverse("deliverables:stage_complete", args=[deliverable.pk, stage.pk]), follow=True)
    assert "The deliverable is on hold: release it before it can be stage completed." in response.content.decode()


def test_the_rest_twin_refuses_a_person_setting_approved(client, producer):
    deliverable = make_deliverable()
    client.force_login(producer)
    url = reverse("deliverables_api:create", args=[deliverable.project_id])
    body = {"name": deliverable.name, "priority": "HIGH", "status": "APPROVED"}
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"].startswith("Approved is reached through the stage gates")
    deliverable.refresh_from_db()
    assert deliverable.status == "NOT_STARTED" and not deliverable.transitions.exists()

    held = client.post(url, data=json.dumps({**body, "status": "ON_HOLD"}), content_type="application/json")
    assert held.status_code == 200
    assert _trail(deliverable) == [("hold", "NOT_STARTED", "ON_HOLD", "", "api")]


def test_the_webhook_sets_a_status_as_upstream_with_its_source(client):
    project = ProjectFactory(omg_job_number="OMG-77")
    body = {"deliverable": {"projectOmgJobNumber": "OMG-77", "name": "Hero", "status": "APPROVED"}}
    assert post_webhook(client, "deliverables", body).status_code == 200
    deliverable = project.deliverables.get()
    row = deliverable.transitions.get()
    assert (row.intent, row.to_status, row.source, row.system) == (
        "set_by_upstream", "APPROVED", "webhook", "deliverables webhook",
    )  # fmt: skip
