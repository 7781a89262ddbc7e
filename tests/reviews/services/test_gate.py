"""The FORMAL gate: a completed session's approval of the latest revision, with no open action items."""

import pytest

from deliverables.models import Stage
from reviews.models import ReviewSession, ReviewSessionItem
from reviews.services.feedback import feedback_item_set_status
from reviews.services.gate import formal_gate_refusal
from reviews.services.revisions import revision_upload
from reviews.services.sessions import review_session_complete, review_session_decide

from ..files import upload
from ..helpers import pin, running_session

pytestmark = pytest.mark.django_db

APPROVED = ReviewSessionItem.Decision.APPROVED


def test_formal_gate_refuses_without_a_completed_approval_on_the_latest_clean_revision(
    at_client_review, reviewer, producer
):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    assert formal_gate_refusal(stage=stage) == "no completed review session approved round 1"
    # A session approved round 1, then round 2 arrived with an open item carried over.
    session = running_session([deliverable], reviewer)
    item = session.items.get()
    review_session_decide(session=session, item=item, decision=APPROVED, actor=reviewer)
    assert formal_gate_refusal(stage=stage, revision=item.revision) is None
    ReviewSession.objects.filter(pk=session.pk).update(status=ReviewSession.Status.COMPLETED)
    assert formal_gate_refusal(stage=stage) is None
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    assert formal_gate_refusal(stage=stage) == "no completed review session approved round 2"
    assert formal_gate_refusal(stage=stage, revision=item.revision) == (
        "round 1 was approved but round 2 is the latest revision"
    )


def test_formal_gate_counts_open_action_items_on_the_latest_round(at_client_review, reviewer):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    first, second = pin(deliverable, reviewer, "Logo"), pin(deliverable, reviewer, "Crop", x=0.1, y=0.1)
    revision = deliverable.revisions.get()
    assert formal_gate_refusal(stage=stage, revision=revision) == "round 1 still has 2 open action items"
    feedback_item_set_status(item=first, status="RESOLVED", actor=reviewer)
    assert formal_gate_refusal(stage=stage, revision=revision) == "round 1 still has 1 open action item"
    feedback_item_set_status(item=second, status="WONT_FIX", actor=reviewer)
    assert formal_gate_refusal(stage=stage, revision=revision) is None


def test_a_deliverable_without_a_revision_cannot_pass(at_client_review):
    stage = at_client_review(with_revision=False).current_stage
    assert formal_gate_refusal(stage=stage) == "there is no revision to approve"


def test_a_completed_approval_satisfies_the_gate_and_passes_the_stage(at_client_review, reviewer):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    stage.refresh_from_db()
    deliverable.refresh_from_db()
    assert formal_gate_refusal(stage=stage) is None
    assert stage.status == Stage.Status.DONE and deliverable.current_stage.name == "Amends"
