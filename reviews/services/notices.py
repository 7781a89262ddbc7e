"""What a review tells people: one notification per decision and recipient, not one per feedback item.

While a review session runs on a stage, feedback written on it tells no one at once: the presenter's decision, when
the session completes, is one notification to each person it concerns, summarising the round's feedback at that
stage. Feedback outside a running session (on the review page between sessions) still tells the assignee per item,
in the app only (FEEDBACK_ADDED is not a kind that is emailed).
"""

from deliverables.models import Deliverable, Stage
from tracker.models import Notification

from ..models import FeedbackItem, ReviewSession, ReviewSessionItem
from .common import notify, review_url

SUMMARY_ITEMS = 10


def stage_in_running_session(stage: Stage) -> bool:
    """True while a started, not yet completed, review session has `stage` in its running order."""
    return ReviewSessionItem.objects.filter(stage=stage, session__status=ReviewSession.Status.IN_PROGRESS).exists()


def notify_feedback(item: FeedbackItem, deliverable: Deliverable, actor) -> None:
    """A feedback item written outside a running session tells the assignee; inside one the decision will."""
    if stage_in_running_session(item.stage):
        return
    notify(
        deliverable.assignee,
        actor=actor,
        kind=Notification.Kind.FEEDBACK_ADDED,
        title=f"Feedback on {deliverable.name}",
        body=item.body[:500],
        url=review_url(deliverable),
    )


def _feedback_summary(item: ReviewSessionItem) -> str:
    """The round's feedback at the decided stage: the open items to act on, or how many were settled."""
    feedback = list(
        FeedbackItem.objects.filter(stage=item.stage, revision=item.revision)
        .exclude(status=FeedbackItem.Status.CARRIED)
        .select_related("author")
        .order_by("id")
    )
    if not feedback:
        return ""
    open_items = [f for f in feedback if f.status == FeedbackItem.Status.OPEN]
    if not open_items:
        count = len(feedback)
        return f"{count} feedback item{'s' if count != 1 else ''} on round {item.revision.round}, all settled."
    lines = [f"{len(open_items)} open feedback item{'s' if len(open_items) != 1 else ''}:"]
    for feedback_item in open_items[:SUMMARY_ITEMS]:
        by = f" ({feedback_item.author})" if feedback_item.author else ""
        text = " ".join(feedback_item.body.split())
        lines.append(f"- {text[:200]}{by}")
    if len(open_items) > SUMMARY_ITEMS:
        lines.append(f"… and {len(open_items) - SUMMARY_ITEMS} more on the review page.")
    return "\n".join(lines)


def notify_decision(item: ReviewSessionItem, deliverable: Deliverable, actor) -> None:
    """The one notification of a completed session's decision, per recipient, with the feedback summarised.

    APPROVED tells the assignee and the project's owner (once each); CHANGES_REQUESTED and REJECTED tell the
    assignee, whose work goes back. Never the person completing the session (`notify`)."""
    decision, stage, round_ = item.decision, item.stage, item.revision.round
    summary = _feedback_summary(item)
    if decision == ReviewSessionItem.Decision.APPROVED:
        approved = deliverable.status == Deliverable.Status.APPROVED
        kind = Notification.Kind.DELIVERABLE_APPROVED if approved else Notification.Kind.REVIEW_PASSED
        title = f"{'Approved' if approved else stage.name + ' passed'}: {deliverable.name}"
        lead = item.notes or f"{stage.name} approved round {round_}."
        recipients = [deliverable.assignee, deliverable.project.owner]
    elif decision == ReviewSessionItem.Decision.CHANGES_REQUESTED:
        kind, title = Notification.Kind.CHANGES_REQUESTED, f"Changes requested: {deliverable.name}"
        lead = item.notes or f"{stage.name} asked for changes on round {round_}."
        recipients = [deliverable.assignee]
    else:
        kind, title = Notification.Kind.REVIEW_REJECTED, f"Rejected: {deliverable.name}"
        lead = item.notes or f"{stage.name} rejected round {round_}."
        recipients = [deliverable.assignee]
    body = f"{lead}\n\n{summary}" if summary else lead
    for recipient in {user.pk: user for user in recipients if user is not None}.values():
        notify(recipient, actor=actor, kind=kind, title=title, body=body, url=review_url(deliverable))
