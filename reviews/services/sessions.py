"""Review sessions: build a DRAFT running order, start it (its deliverables go IN_REVIEW), record the
presenter's decisions and complete it, which applies them through the deliverable state machine.

Every transition needs REVIEW_RUN and locks the session row first, so two presenters cannot interleave.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from deliverables.models import Deliverable, Revision, Stage
from deliverables.services import deliverable_reject, deliverable_request_changes, deliverable_start_review
from projects.models import ApprovalType
from tracker.errors import ApplicationError, ConflictError, NotFoundError
from tracker.events import emit
from tracker.models import User
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user

from ..models import ReviewSession, ReviewSessionItem
from .common import latest_revision
from .gate import approval_refusal, pass_formal_stage
from .notices import notify_decision


def _lock_session(session: ReviewSession, actor) -> ReviewSession:
    """Every transition locks the session row first, so two presenters cannot interleave."""
    require_permission(actor, Permission.REVIEW_RUN)
    try:
        session = ReviewSession.objects.select_for_update().get(
            pk=session.pk, organisation=organisation_for_user(actor)
        )
    except ReviewSession.DoesNotExist as error:
        raise NotFoundError("review session not found") from error
    return session


def _require_status(session: ReviewSession, status: str, doing: str) -> None:
    if session.status != status:
        raise ConflictError(
            f"the session is {session.get_status_display().lower()}: you can only {doing} "
            f"when it is {ReviewSession.Status(status).label.lower()}"
        )


def _reviewable(deliverable: Deliverable) -> tuple[Stage, Revision]:
    """The FORMAL stage and latest revision a deliverable would be reviewed at, or a refusal saying why not."""
    if deliverable.status == Deliverable.Status.ON_HOLD:
        raise ConflictError(f"{deliverable.name} is on hold")
    stage = deliverable.current_stage
    if stage is None or stage.status != Stage.Status.ACTIVE or stage.approval_type != ApprovalType.FORMAL:
        where = f"at {stage.name}" if stage else "without a current stage"
        raise ConflictError(f"{deliverable.name} is {where}, not waiting at a formal review stage")
    revision = latest_revision(deliverable)
    if revision is None:
        raise ConflictError(f"{deliverable.name} has no revision to review yet: upload one first")
    return stage, revision


@transaction.atomic
def review_session_create(
    *, title: str, actor, presenter: User | None = None, deliverables: list[Deliverable] = ()
) -> ReviewSession:
    """Create a DRAFT session, optionally with its first items."""
    require_permission(actor, Permission.REVIEW_RUN)
    title = (title or "").strip()
    if not title:
        raise ApplicationError("give the session a title", {"field": "title"})
    organisation = organisation_for_user(actor)
    if presenter is not None and presenter.organisation_id != organisation.pk:
        raise ApplicationError("the presenter is not in your organisation", {"field": "presenterId"})
    session = ReviewSession.objects.create(
        organisation=organisation, title=title[:200], presenter=presenter or actor, created_by=actor
    )
    for deliverable in deliverables:
        review_session_add_item(session=session, deliverable=deliverable, actor=actor)
    return session


@transaction.atomic
def review_session_update(
    *, session: ReviewSession, actor, title: str | None = None, presenter: User | None = None
) -> ReviewSession:
    session = _lock_session(session, actor)
    changed = []
    if title is not None:
        title = title.strip()
        if not title:
            raise ApplicationError("give the session a title", {"field": "title"})
        session.title = title[:200]
        changed.append("title")
    if presenter is not None:
        if session.status == ReviewSession.Status.COMPLETED:
            raise ConflictError("the session is completed: its presenter cannot change")
        if presenter.organisation_id != session.organisation_id:
            raise ApplicationError("the presenter is not in your organisation", {"field": "presenterId"})
        session.presenter = presenter
        changed.append("presenter")
    if changed:
        session.save(update_fields=[*changed, "updated_at"])
    return session


@transaction.atomic
def review_session_add_item(*, session: ReviewSession, deliverable: Deliverable, actor) -> ReviewSessionItem:
    """Put a deliverable waiting at a FORMAL stage (with a revision) at the end of a DRAFT session."""
    session = _lock_session(session, actor)
    _require_status(session, ReviewSession.Status.DRAFT, "add items")
    deliverable = Deliverable.objects.select_related("project", "current_stage").get(pk=deliverable.pk)
    if deliverable.project.organisation_id != session.organisation_id:
        raise NotFoundError("deliverable not found")
    stage, revision = _reviewable(deliverable)
    if session.items.filter(stage=stage).exists():
        raise ConflictError(f"{deliverable.name} ({stage.name}) is already in this session")
    position = (session.items.aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            return ReviewSessionItem.objects.create(
                session=session, deliverable=deliverable, stage=stage, revision=revision, position=position
            )
    except IntegrityError as error:
        raise ConflictError(f"{deliverable.name} ({stage.name}) is already in this session") from error


@transaction.atomic
def review_session_add_items(
    *, session: ReviewSession, deliverables: list[Deliverable], actor
) -> list[ReviewSessionItem]:
    """Add several deliverables at once; any refusal adds none of them."""
    return [review_session_add_item(session=session, deliverable=d, actor=actor) for d in deliverables]


@transaction.atomic
def review_session_remove_item(*, session: ReviewSession, item: ReviewSessionItem, actor) -> None:
    session = _lock_session(session, actor)
    _require_status(session, ReviewSession.Status.DRAFT, "remove items")
    deleted, _ = ReviewSessionItem.objects.filter(pk=item.pk, session=session).delete()
    if not deleted:
        raise NotFoundError("item not found in this session")


@transaction.atomic
def review_session_reorder(*, session: ReviewSession, item_ids: list[int], actor) -> list[ReviewSessionItem]:
    """Set the running order. `item_ids` must list every item of the session exactly once."""
    session = _lock_session(session, actor)
    _require_status(session, ReviewSession.Status.DRAFT, "reorder items")
    items = {item.pk: item for item in session.items.all()}
    if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(items):
        raise ApplicationError("list every item of the session exactly once", {"field": "itemIds"})
    for position, item_id in enumerate(item_ids, start=1):
        items[item_id].position = position
    ReviewSessionItem.objects.bulk_update(items.values(), ["position"])
    return [items[item_id] for item_id in item_ids]


@transaction.atomic
def review_session_move_item(
    *, session: ReviewSession, item: ReviewSessionItem, direction: str, actor
) -> list[ReviewSessionItem]:
    """Swap an item with its neighbour ("up" or "down") in a DRAFT session's running order."""
    ids = list(
        ReviewSessionItem.objects.filter(session=session).order_by("position", "id").values_list("pk", flat=True)
    )
    if item.pk not in ids:
        raise NotFoundError("item not found in this session")
    index = ids.index(item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return review_session_reorder(session=session, item_ids=ids, actor=actor)


@transaction.atomic
def review_session_start(*, session: ReviewSession, actor) -> ReviewSession:
    """DRAFT -> IN_PROGRESS. Every item must still be at its FORMAL stage and shows the latest revision; each
    deliverable becomes IN_REVIEW. A stage already being reviewed in another running session is refused."""
    session = _lock_session(session, actor)
    _require_status(session, ReviewSession.Status.DRAFT, "start a session")
    items = list(session.items.order_by("position", "id"))
    if not items:
        raise ConflictError("add at least one deliverable before starting the session")
    # Deliverables are locked in id order so two sessions starting at once cannot deadlock.
    locked = {
        d.pk: d
        for d in Deliverable.objects.select_for_update(of=("self",))
        .select_related("current_stage")
        .filter(pk__in=[item.deliverable_id for item in items])
        .order_by("pk")
    }
    busy = (
        ReviewSessionItem.objects.filter(
            stage_id__in=[item.stage_id for item in items], session__status=ReviewSession.Status.IN_PROGRESS
        )
        .select_related("deliverable", "session")
        .first()
    )
    if busy is not None:
        raise ConflictError(f"{busy.deliverable.name} is being reviewed in the running session {busy.session.title!r}")
    for item in items:
        stage, revision = _reviewable(locked[item.deliverable_id])
        if stage.pk != item.stage_id:
            raise ConflictError(f"{item.deliverable.name} has moved on from the stage it was added at: remove it")
        if revision.pk != item.revision_id:
            item.revision = revision
            item.save(update_fields=["revision", "updated_at"])
    for item in sorted(items, key=lambda i: i.deliverable_id):
        deliverable_start_review(deliverable=locked[item.deliverable_id], stage=item.stage, actor=actor)
    session.status = ReviewSession.Status.IN_PROGRESS
    session.started_at = timezone.now()
    session.save(update_fields=["status", "started_at", "updated_at"])
    emit("review_session.started", {"sessionId": str(session.pk), "items": len(items)})
    return session


@transaction.atomic
def review_session_decide(
    *, session: ReviewSession, item: ReviewSessionItem, decision: str, actor, notes: str = ""
) -> ReviewSessionItem:
    """Record (or change) the presenter's decision on one item of a running session. Nothing moves until the
    session completes. An approval is refused while the revision still has open action items."""
    session = _lock_session(session, actor)
    _require_status(session, ReviewSession.Status.IN_PROGRESS, "record decisions")
    choices = [d for d in ReviewSessionItem.Decision.values if d != ReviewSessionItem.Decision.PENDING]
    if decision not in choices:
        raise ApplicationError(f"decision must be one of {', '.join(choices)}", {"field": "decision"})
    try:
        item = (
            ReviewSessionItem.objects.select_for_update(of=("self",))
            .select_related("stage__deliverable", "revision")
            .get(pk=item.pk, session=session)
        )
    except ReviewSessionItem.DoesNotExist as error:
        raise NotFoundError("item not found in this session") from error
    if decision == ReviewSessionItem.Decision.REJECTED and not (notes or "").strip():
        # A rejection sends work back without a way forward: like a brief rejection it must say why, and the
        # reason is what the assignee is told and what the deliverable's history keeps.
        raise ApplicationError("give a reason for the rejection in the notes", {"field": "notes"})
    if decision == ReviewSessionItem.Decision.APPROVED:
        reason = approval_refusal(stage=item.stage, revision=item.revision, approver=actor)
        if reason:
            raise ConflictError(f"cannot approve {item.stage.deliverable.name}: {reason}")
    item.decision = decision
    item.notes = (notes or "").strip()
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(update_fields=["decision", "notes", "decided_by", "decided_at", "updated_at"])
    return item


@transaction.atomic
def review_session_complete(*, session: ReviewSession, actor) -> ReviewSession:
    """IN_PROGRESS -> COMPLETED once every item has a decision, then apply them: APPROVED passes the FORMAL
    stage (the gate is checked again, and a refusal stops the whole completion), CHANGES_REQUESTED sends the
    deliverable back to Amends and tells its assignee, REJECTED returns it to IN_PROGRESS at the same stage."""
    session = _lock_session(session, actor)
    _require_status(session, ReviewSession.Status.IN_PROGRESS, "complete a session")
    items = list(
        session.items.select_related("deliverable__assignee", "stage", "revision", "decided_by").order_by(
            "position", "id"
        )
    )
    pending = [item for item in items if item.decision == ReviewSessionItem.Decision.PENDING]
    if pending:
        names = ", ".join(item.deliverable.name for item in pending)
        raise ConflictError(f"{len(pending)} item(s) still need a decision: {names}")
    session.status = ReviewSession.Status.COMPLETED
    session.completed_at = timezone.now()
    session.save(update_fields=["status", "completed_at", "updated_at"])
    for item in sorted(items, key=lambda i: i.deliverable_id):
        deliverable = item.deliverable
        if item.decision == ReviewSessionItem.Decision.APPROVED:
            approver = item.decided_by or actor
            reason = approval_refusal(stage=item.stage, revision=item.revision, approver=approver)
            if reason:
                raise ConflictError(f"cannot approve {deliverable.name}: {reason}")
            deliverable = pass_formal_stage(
                deliverable=deliverable, stage=item.stage, approver=approver, note=item.notes
            )
        elif item.decision == ReviewSessionItem.Decision.CHANGES_REQUESTED:
            deliverable_request_changes(deliverable=deliverable, stage=item.stage, actor=actor, note=item.notes)
        else:
            deliverable_reject(deliverable=deliverable, stage=item.stage, actor=actor, note=item.notes)
        notify_decision(item, deliverable, actor)
    emit(
        "review_session.completed",
        {
            "sessionId": str(session.pk),
            "decisions": {str(item.deliverable_id): item.decision for item in items},
        },
    )
    return session
