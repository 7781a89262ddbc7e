"""The FORMAL gate: a formal stage passes only when a completed review session approved the deliverable's latest
revision and that revision has no open action items. The session service asks it before recording an approval
and again when the session completes."""

from deliverables.models import Deliverable, Revision, Stage
from deliverables.services import deliverable_pass_formal_stage, four_eyes_refusal

from ..models import FeedbackItem, ReviewSession, ReviewSessionItem
from .common import latest_revision


def formal_gate_refusal(*, stage: Stage, revision: Revision | None = None) -> str | None:
    """Why the FORMAL `stage` may not pass now, or None when it may: a COMPLETED session approved it on the
    deliverable's latest revision, and that revision has no open action items. `revision`, when given, is the
    revision being approved in a session that is completing right now."""
    latest = latest_revision(stage.deliverable)
    if latest is None:
        return "there is no revision to approve"
    if revision is None:
        approved = ReviewSessionItem.objects.filter(
            stage=stage,
            decision=ReviewSessionItem.Decision.APPROVED,
            session__status=ReviewSession.Status.COMPLETED,
            revision=latest,
        ).exists()
        if not approved:
            return f"no completed review session approved round {latest.round}"
    elif revision.pk != latest.pk:
        return f"round {revision.round} was approved but round {latest.round} is the latest revision"
    open_items = FeedbackItem.objects.filter(
        revision=latest, is_action_item=True, status=FeedbackItem.Status.OPEN
    ).count()
    if open_items:
        return f"round {latest.round} still has {open_items} open action item{'s' if open_items != 1 else ''}"
    return None


def pass_formal_stage(*, deliverable: Deliverable, stage: Stage, approver, note: str = "") -> Deliverable:
    """Complete the FORMAL stage once `formal_gate_refusal` said it may, in the caller's transaction. The state
    machine sets the follow-on status: APPROVED after the last FORMAL stage, IN_PROGRESS while another is to come.
    `approver` is who decided the approval in the session (four-eyes is checked against them)."""
    return deliverable_pass_formal_stage(deliverable=deliverable, stage=stage, actor=approver, note=note)


def approval_refusal(*, stage: Stage, revision: Revision | None, approver) -> str | None:
    """Why `approver` may not approve `stage` now: the FORMAL gate, then the stage's four-eyes rule."""
    return formal_gate_refusal(stage=stage, revision=revision) or four_eyes_refusal(stage=stage, approver=approver)
