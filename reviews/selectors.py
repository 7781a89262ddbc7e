"""Reads for review pages and APIs. Each returns a queryset (or a small dict) whose query count does not grow
with the number of rows, and only ever the signed-in user's organisation's rows."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from deliverables.models import Deliverable, Revision, Stage
from projects.models import ApprovalType
from tracker.services import organisation_for_user

from .models import FeedbackItem, ReviewSession, ReviewSessionItem

OPEN_ACTION = Q(is_action_item=True, status=FeedbackItem.Status.OPEN)


def _organisation(user):
    return organisation_for_user(user)


def review_session_list(*, user, status: str | None = None):
    sessions = (
        ReviewSession.objects.filter(organisation=_organisation(user))
        .select_related("presenter")
        .annotate(
            item_count=Count("items", distinct=True),
            decided_count=Count("items", filter=~Q(items__decision=ReviewSessionItem.Decision.PENDING), distinct=True),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def _item_queryset():
    open_items = FeedbackItem.objects.filter(revision=OuterRef("revision"), is_action_item=True).values("revision")
    return (
        ReviewSessionItem.objects.select_related(
            "deliverable__project", "deliverable__assignee", "stage", "revision", "decided_by"
        )
        .annotate(
            open_count=Subquery(
                open_items.filter(status=FeedbackItem.Status.OPEN).annotate(n=Count("id")).values("n")[:1]
            ),
            action_count=Subquery(open_items.annotate(n=Count("id")).values("n")[:1]),
        )
        .order_by("position", "id")
    )


def review_session_get(*, user, pk: int) -> ReviewSession:
    """A session with its items (deliverable, stage, revision, open/total action item counts) prefetched."""
    queryset = ReviewSession.objects.filter(organisation=_organisation(user)).select_related("presenter", "created_by")
    queryset = queryset.prefetch_related(Prefetch("items", queryset=_item_queryset()))
    return get_object_or_404(queryset, pk=pk)


def review_session_item_get(*, session: ReviewSession, pk: int) -> ReviewSessionItem:
    return get_object_or_404(ReviewSessionItem, pk=pk, session=session)


def review_items_with_feedback(*, session: ReviewSession) -> list[ReviewSessionItem]:
    """The session's items, each with `feedback` (its revision's items, pins numbered) for the presenter."""
    items = list(session.items.all())
    by_revision: dict[int, list[FeedbackItem]] = {}
    feedback = feedback_item_queryset().filter(revision_id__in=[item.revision_id for item in items])
    for row in feedback:
        by_revision.setdefault(row.revision_id, []).append(row)
    for item in items:
        item.feedback = number_feedback(by_revision.get(item.revision_id, []))
    return items


def number_feedback(items: list[FeedbackItem]) -> list[FeedbackItem]:
    """Give each item its checklist number; a pin shows the number of its item, so the two stay in sync."""
    for number, item in enumerate(items, start=1):
        item.number = number
    return items


def deliverables_awaiting_review(*, user):
    """Deliverables waiting at an active FORMAL stage that have a revision, with `latest_round` and
    `latest_revision_id` annotated."""
    latest = Revision.objects.filter(deliverable=OuterRef("pk")).order_by("-round")
    return (
        Deliverable.objects.filter(
            project__organisation=_organisation(user),
            current_stage__approval_type=ApprovalType.FORMAL,
            current_stage__status=Stage.Status.ACTIVE,
        )
        .exclude(status=Deliverable.Status.ON_HOLD)
        .annotate(
            latest_round=Subquery(latest.values("round")[:1]), latest_revision_id=Subquery(latest.values("pk")[:1])
        )
        .filter(latest_round__isnull=False)
        .select_related("project", "current_stage", "assignee")
        .order_by("project__name", "name")
    )


def deliverable_get(*, user, pk: int) -> Deliverable:
    return get_object_or_404(
        Deliverable.objects.select_related("project", "current_stage", "assignee"),
        pk=pk,
        project__organisation=_organisation(user),
    )


def revision_get(*, user, pk: int) -> Revision:
    return get_object_or_404(
        Revision.objects.select_related("deliverable__project"),
        pk=pk,
        deliverable__project__organisation=_organisation(user),
    )


def stage_get(*, user, pk: int) -> Stage:
    return get_object_or_404(
        Stage.objects.select_related("deliverable__project", "deliverable__assignee"),
        pk=pk,
        deliverable__project__organisation=_organisation(user),
    )


def feedback_item_get(*, user, pk: int) -> FeedbackItem:
    return get_object_or_404(
        feedback_item_queryset(), pk=pk, stage__deliverable__project__organisation=_organisation(user)
    )


def feedback_item_queryset():
    return FeedbackItem.objects.select_related(
        "annotation", "author", "edited_by", "resolved_by", "reopened_by", "revision", "carried_from__revision", "stage"
    ).order_by("created_at", "id")


def feedback_for_stage(*, stage: Stage):
    return feedback_item_queryset().filter(stage=stage)


def revisions_for_deliverable(*, deliverable: Deliverable):
    """Rounds newest first, each with `open_count` and `action_count`."""
    return (
        Revision.objects.filter(deliverable=deliverable)
        .select_related("created_by")
        .annotate(
            open_count=Count(
                "feedback_items",
                filter=Q(feedback_items__is_action_item=True, feedback_items__status=FeedbackItem.Status.OPEN),
            ),
            action_count=Count("feedback_items", filter=Q(feedback_items__is_action_item=True)),
        )
        .order_by("-round")
    )


def annotation_page(*, deliverable: Deliverable, round_number: int | None = None) -> dict:
    """The annotation page's data: every round, the chosen one (latest by default) and its numbered feedback."""
    revisions = list(revisions_for_deliverable(deliverable=deliverable))
    revision = None
    if revisions:
        revision = next((r for r in revisions if r.round == round_number), None) if round_number else revisions[0]
        if revision is None:
            revision = revisions[0]
    feedback = []
    if revision is not None:
        feedback = number_feedback(list(feedback_item_queryset().filter(revision=revision)))
    action = [item for item in feedback if item.is_action_item]
    resolved = [item for item in action if item.status in (FeedbackItem.Status.RESOLVED, FeedbackItem.Status.WONT_FIX)]
    return {
        "revisions": revisions,
        "revision": revision,
        "is_latest": bool(revisions) and revision is revisions[0],
        "feedback": feedback,
        "action_total": len([i for i in action if i.status != FeedbackItem.Status.CARRIED]),
        "action_resolved": len(resolved),
        "carried_count": len([item for item in feedback if item.carried_from_id]),
    }


def stage_panel(*, stage: Stage) -> dict:
    """The stage review panel: latest revision, its open items, sessions that covered the stage."""
    deliverable = stage.deliverable
    latest = Revision.objects.filter(deliverable=deliverable).order_by("-round").first()
    open_items = []
    if latest is not None:
        open_items = list(feedback_item_queryset().filter(revision=latest).filter(OPEN_ACTION))
    session_items = list(
        ReviewSessionItem.objects.filter(stage=stage)
        .select_related("session", "revision", "decided_by")
        .order_by("-session__created_at", "-id")
    )
    return {"latest_revision": latest, "open_items": open_items, "session_items": session_items}
