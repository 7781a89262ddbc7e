"""Reads for review pages and APIs. Each takes the `organisation` the caller acts for and only ever returns its
rows; a row that is missing or belongs to another organisation raises NotFoundError (a 404 for pages and APIs).
Querysets (or small dicts) whose query count does not grow with the number of rows."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from deliverables.models import Deliverable, Revision, Stage
from deliverables.selectors import revision_get  # noqa: F401  (one revision lookup, for the file and thumbnail)
from projects.models import ApprovalType
from tracker.errors import NotFoundError
from tracker.models import Organisation, User

from .models import FeedbackItem, ReviewSession, ReviewSessionItem

OPEN_ACTION = Q(is_action_item=True, status=FeedbackItem.Status.OPEN)


def _get(queryset, message: str, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise NotFoundError(message) from error


OPEN_SESSION_STATUSES = (ReviewSession.Status.DRAFT, ReviewSession.Status.IN_PROGRESS)


def review_sessions_to_run(*, organisation: Organisation, presenter: User):
    """The sessions `presenter` presents that are not completed yet (drafts and those in progress)."""
    sessions = ReviewSession.objects.filter(organisation=organisation, presenter=presenter)
    return sessions.filter(status__in=OPEN_SESSION_STATUSES)


def review_session_list(*, organisation: Organisation, status: str | None = None, presenter: User | None = None):
    sessions = (
        ReviewSession.objects.filter(organisation=organisation)
        .select_related("presenter")
        .annotate(
            item_count=Count("items", distinct=True),
            decided_count=Count("items", filter=~Q(items__decision=ReviewSessionItem.Decision.PENDING), distinct=True),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        sessions = sessions.filter(status=status)
    if presenter is not None:
        sessions = sessions.filter(presenter=presenter)
    return sessions


def review_session_counts(*, organisation: Organisation, presenter: User | None = None) -> dict[str, int]:
    """Sessions per status (the list's group headers), in one aggregate query."""
    sessions = ReviewSession.objects.filter(organisation=organisation)
    if presenter is not None:
        sessions = sessions.filter(presenter=presenter)
    totals = sessions.aggregate(**{s.lower(): Count("id", filter=Q(status=s)) for s in ReviewSession.Status.values})
    return {status: totals[status.lower()] for status in ReviewSession.Status.values}


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


def review_session_get(*, organisation: Organisation, pk: int) -> ReviewSession:
    """A session with its items (deliverable, stage, revision, open/total action item counts) prefetched."""
    queryset = ReviewSession.objects.filter(organisation=organisation).select_related("presenter", "created_by")
    queryset = queryset.prefetch_related(Prefetch("items", queryset=_item_queryset()))
    return _get(queryset, "review session not found", pk=pk)


def review_session_item_get(*, organisation: Organisation, session: ReviewSession, pk: int) -> ReviewSessionItem:
    queryset = ReviewSessionItem.objects.filter(session=session, session__organisation=organisation)
    return _get(queryset, "item not found in this session", pk=pk)


def review_items_with_feedback(*, organisation: Organisation, session: ReviewSession) -> list[ReviewSessionItem]:
    """The session's items, each with `feedback` (its revision's items, pins numbered) for the presenter."""
    items = list(session.items.all())
    by_revision: dict[int, list[FeedbackItem]] = {}
    feedback = _feedback_items(organisation).filter(revision_id__in=[item.revision_id for item in items])
    for row in _numbered(list(feedback)):  # numbered together: one query whatever the number of items
        by_revision.setdefault(row.revision_id, []).append(row)
    for item in items:
        item.feedback = by_revision.get(item.revision_id, [])
    return items


def _numbered(items: list[FeedbackItem]) -> list[FeedbackItem]:
    """Give each item its checklist number, in number order; a pin shows the number of its item.

    A number names one point for good: the deliverable's items are numbered in the order they were raised (round,
    then time), and an item carried into a later round keeps the number, author, date and round it was first
    raised with (`raised_at`, `raised_round`) instead of being renumbered and dated at the carry. One query for
    every deliverable the items belong to."""
    if not items:
        return items
    revision_ids = {item.revision_id for item in items}
    rows = (
        FeedbackItem.objects.filter(
            revision__deliverable__in=Revision.objects.filter(pk__in=revision_ids).values("deliverable_id")
        )
        .order_by("revision__round", "created_at", "id")
        .values_list("id", "carried_from_id", "revision__deliverable_id", "revision__round", "created_at")
    )
    parent, raised, numbers, counters = {}, {}, {}, {}
    for pk, carried_from, deliverable_id, round_, created_at in rows:
        parent[pk] = carried_from
        if carried_from is None:
            counters[deliverable_id] = counters.get(deliverable_id, 0) + 1
            numbers[pk] = counters[deliverable_id]
            raised[pk] = (round_, created_at)

    def root(pk: int) -> int:
        while parent.get(pk) is not None:
            pk = parent[pk]
        return pk

    for item in items:
        origin = root(item.pk)
        item.number = numbers.get(origin, 0)
        item.raised_round, item.raised_at = raised.get(origin, (item.revision.round, item.created_at))
    return sorted(items, key=lambda item: (item.number, item.pk))


def deliverables_awaiting_review(*, organisation: Organisation, search: str = ""):
    """Deliverables waiting at an active FORMAL stage that have a revision, with `latest_round` and
    `latest_revision_id` annotated. `search` narrows to a deliverable or project name containing it. A studio
    has hundreds waiting at once: pages take one page of this (and a POST only the rows it names)."""
    latest = Revision.objects.filter(deliverable=OuterRef("pk")).order_by("-round")
    deliverables = Deliverable.objects.all()
    if search:
        deliverables = deliverables.filter(Q(name__icontains=search) | Q(project__name__icontains=search))
    return (
        deliverables.filter(
            project__organisation=organisation,
            current_stage__approval_type=ApprovalType.FORMAL,
            current_stage__status=Stage.Status.ACTIVE,
        )
        .exclude(status=Deliverable.Status.ON_HOLD)
        .annotate(
            latest_round=Subquery(latest.values("round")[:1]), latest_revision_id=Subquery(latest.values("pk")[:1])
        )
        .filter(latest_round__isnull=False)
        .select_related("project", "current_stage", "assignee")
        .order_by("project__name", "name", "id")
    )


def deliverable_get(*, organisation: Organisation, pk: int) -> Deliverable:
    queryset = Deliverable.objects.filter(project__organisation=organisation)
    return _get(queryset.select_related("project", "current_stage", "assignee"), "deliverable not found", pk=pk)


def stage_get(*, organisation: Organisation, pk: int, deliverable_id: int | None = None) -> Stage:
    """A stage, and when `deliverable_id` is given only one of that deliverable's stages."""
    queryset = Stage.objects.filter(deliverable__project__organisation=organisation)
    if deliverable_id is not None:
        queryset = queryset.filter(deliverable_id=deliverable_id)
    return _get(queryset.select_related("deliverable__project", "deliverable__assignee"), "stage not found", pk=pk)


def user_get(*, organisation: Organisation, pk: int) -> User:
    """A user of the organisation (a session's presenter)."""
    return _get(User.objects.filter(organisation=organisation), "user not found", pk=pk)


def feedback_item_get(*, organisation: Organisation, pk: int) -> FeedbackItem:
    return _get(_feedback_items(organisation), "feedback item not found", pk=pk)


def _feedback_items(organisation: Organisation):
    return (
        FeedbackItem.objects.filter(stage__deliverable__project__organisation=organisation)
        .select_related(
            "annotation",
            "author",
            "edited_by",
            "resolved_by",
            "reopened_by",
            "revision",
            "carried_from__revision",
            "stage",
        )
        .order_by("created_at", "id")
    )


def feedback_for_stage(*, organisation: Organisation, stage: Stage):
    return _feedback_items(organisation).filter(stage=stage)


def revisions_for_deliverable(*, organisation: Organisation, deliverable: Deliverable):
    """Rounds newest first, each with `open_count` and `action_count`."""
    return (
        Revision.objects.filter(deliverable=deliverable, deliverable__project__organisation=organisation)
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


def annotation_page(*, organisation: Organisation, deliverable: Deliverable, round_number: int | None = None) -> dict:
    """The annotation page's data: every round, the chosen one (latest by default) and its numbered feedback."""
    revisions = list(revisions_for_deliverable(organisation=organisation, deliverable=deliverable))
    revision = None
    if revisions:
        revision = next((r for r in revisions if r.round == round_number), None) if round_number else revisions[0]
        if revision is None:
            revision = revisions[0]
    feedback = []
    if revision is not None:
        feedback = _numbered(list(_feedback_items(organisation).filter(revision=revision)))
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


def stage_panel(*, organisation: Organisation, stage: Stage) -> dict:
    """The stage review panel: latest revision, its open items, sessions that covered the stage."""
    latest = (
        Revision.objects.filter(deliverable_id=stage.deliverable_id, deliverable__project__organisation=organisation)
        .order_by("-round")
        .first()
    )
    open_items = []
    if latest is not None:
        open_items = list(_feedback_items(organisation).filter(revision=latest).filter(OPEN_ACTION))
    session_items = list(
        ReviewSessionItem.objects.filter(stage=stage, session__organisation=organisation)
        .select_related("session", "revision", "decided_by")
        .order_by("-session__created_at", "-id")
    )
    return {"latest_revision": latest, "open_items": open_items, "session_items": session_items}


def compare_rounds(*, organisation: Organisation, deliverable: Deliverable, a: int | None, b: int | None) -> dict:
    """Two rounds of a deliverable side by side: `revisions` (every round, for the pickers), `a` and `b` (by
    default the round before the latest and the latest), each with `feedback`, its numbered items, in two queries
    whatever the number of rounds or items."""
    revisions = list(revisions_for_deliverable(organisation=organisation, deliverable=deliverable))
    by_round = {revision.round: revision for revision in revisions}
    latest = revisions[0] if revisions else None
    right = by_round.get(b) or latest
    earlier = [revision for revision in revisions if right and revision.round < right.round]
    left = by_round.get(a) or (earlier[0] if earlier else right)
    chosen = {revision.pk: revision for revision in (left, right) if revision is not None}
    feedback = _numbered(list(_feedback_items(organisation).filter(revision_id__in=list(chosen))))
    for revision in chosen.values():
        revision.feedback = [item for item in feedback if item.revision_id == revision.pk]
    return {"revisions": revisions, "a": left, "b": right}
