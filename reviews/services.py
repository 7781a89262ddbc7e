"""Writes for the formal review workflow: revisions (with carry-forward), annotations, feedback items, review
sessions and the FORMAL approval gate.

Permissions are checked here, so every page and API that calls a service gets the same answer. Stage and
status changes of a deliverable go through `deliverables.services` (its one state machine). Refusals are
`ApplicationError`s with a message a person can act on: ConflictError (409) for a state that does not allow
the change, PermissionDeniedError (403), NotFoundError (404), plain ApplicationError (400) for bad input.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from deliverables.models import Deliverable, Revision, Stage
from deliverables.services import (
    deliverable_pass_formal_stage,
    deliverable_send_back_for_amends,
    deliverable_set_status,
)
from projects.models import ApprovalType
from tracker.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from tracker.events import emit
from tracker.models import Notification, User
from tracker.permissions import Permission, has_permission
from tracker.services import notification_create, organisation_for_user

from .models import Annotation, FeedbackItem, ReviewSession, ReviewSessionItem

logger = logging.getLogger(__name__)

# kind -> (accepted extensions, content type). The extension and the file's first bytes must agree.
REVISION_FILE_KINDS = {
    "png": ({".png"}, "image/png"),
    "jpeg": ({".jpg", ".jpeg"}, "image/jpeg"),
    "webp": ({".webp"}, "image/webp"),
    "pdf": ({".pdf"}, "application/pdf"),
    "mp4": ({".mp4"}, "video/mp4"),
}
ACCEPTED_EXTENSIONS = sorted(ext for exts, _ in REVISION_FILE_KINDS.values() for ext in exts)


# --- shared checks --------------------------------------------------------------------------------------------


def _require(actor, permission: Permission) -> None:
    if not has_permission(actor, permission):
        raise PermissionDeniedError("permission denied")


def _require_same_organisation(actor, deliverable: Deliverable) -> None:
    """A user only ever touches their own organisation's work; another's looks like it does not exist."""
    if deliverable.project.organisation_id != organisation_for_user(actor).pk:
        raise NotFoundError("deliverable not found")


def _latest_revision(deliverable: Deliverable) -> Revision | None:
    return Revision.objects.filter(deliverable=deliverable).order_by("-round").first()


def _deliverable_url(deliverable: Deliverable) -> str:
    return reverse("reviews:annotate", args=[deliverable.pk])


def _notify(recipient: User | None, *, actor, kind: str, title: str, body: str = "", url: str = "") -> None:
    """Tell someone about a change, but never the person who made it."""
    if recipient is None or (actor is not None and recipient.pk == actor.pk) or not recipient.is_active:
        return
    notification_create(recipient=recipient, kind=kind, title=title, body=body, url=url)


def stage_under_review(deliverable: Deliverable) -> Stage | None:
    """The stage feedback is about: the current stage if it has a gate, otherwise the next gated stage (so
    notes made during Amends land on the review that follows), otherwise the current stage."""
    stages = list(deliverable.stages.order_by("order"))
    current = next((s for s in stages if s.status != Stage.Status.DONE), None)
    if current is None:
        return stages[-1] if stages else None
    if current.approval_type != ApprovalType.NONE:
        return current
    following = next((s for s in stages if s.order > current.order and s.approval_type != ApprovalType.NONE), None)
    return following or current


# --- revisions ------------------------------------------------------------------------------------------------


def _detect_kind(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def revision_file_check(*, file, name: str | None = None) -> tuple[str, str]:
    """Check an uploaded file's size, extension and first bytes. Returns `(kind, content_type)` or raises
    ApplicationError saying what is wrong."""
    name = name or getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not size:
        raise ApplicationError("the file is empty", {"field": "file"})
    limit = settings.REVISION_MAX_UPLOAD_BYTES
    if size > limit:
        raise ApplicationError(
            f"the file is {size:,} bytes; the limit is {limit:,} bytes", {"field": "file", "limit": limit}
        )
    extension = Path(name).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise ApplicationError(
            f"{extension or 'files without an extension'} is not accepted: upload PNG, JPEG, WebP, PDF or MP4",
            {"field": "file"},
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = _detect_kind(head)
    if kind is None or extension not in REVISION_FILE_KINDS[kind][0]:
        raise ApplicationError(
            f"the file's contents are not a {extension[1:].upper()} file: upload PNG, JPEG, WebP, PDF or MP4",
            {"field": "file"},
        )
    return kind, REVISION_FILE_KINDS[kind][1]


@transaction.atomic
def revision_upload(
    *,
    deliverable: Deliverable,
    file,
    actor,
    name: str | None = None,
    source: str = Revision.Source.UPLOAD,
    note: str = "",
) -> Revision:
    """Store a file as the deliverable's next round (N+1) and carry round N's open action items into it.

    The round is allocated under a row lock on the deliverable (the unique (deliverable, round) constraint
    backs it up). Each OPEN action item on round N becomes a new OPEN item on round N+1 with `carried_from`
    pointing back; the old item turns CARRIED. `actor` may be None for files arriving from an integration.
    """
    if actor is not None:
        _require(actor, Permission.REVISION_UPLOAD)
    original_name = Path(name or getattr(file, "name", "") or "").name
    kind, content_type = revision_file_check(file=file, name=original_name)
    deliverable = Deliverable.objects.select_for_update(of=("self",)).select_related("project").get(pk=deliverable.pk)
    if actor is not None:
        _require_same_organisation(actor, deliverable)
    previous = _latest_revision(deliverable)
    next_round = (Revision.objects.filter(deliverable=deliverable).aggregate(m=Max("round"))["m"] or 0) + 1
    stored_name = get_valid_filename(original_name) or f"revision.{kind}"
    revision = Revision(
        deliverable=deliverable,
        round=next_round,
        original_name=original_name[:255],
        content_type=content_type,
        size=file.size,
        source=source,
        created_by=actor,
        note=note,
    )
    revision.file.save(stored_name, file, save=False)
    revision.save()
    carried = _carry_forward(previous, revision) if previous else 0
    emit(
        "revision.created",
        {
            "deliverableId": str(deliverable.pk),
            "revisionId": str(revision.pk),
            "round": revision.round,
            "source": source,
            "carriedItems": carried,
        },
    )
    stage = stage_under_review(deliverable)
    if stage is not None and stage.approval_type != ApprovalType.NONE:
        reviewers = User.objects.filter(
            organisation=deliverable.project.organisation, role=User.Role.REVIEWER, is_active=True
        )
        for reviewer in reviewers:
            _notify(
                reviewer,
                actor=actor,
                kind=Notification.Kind.REVIEW_REQUESTED,
                title=f"Review requested: {deliverable.name} round {revision.round}",
                body=f"Ready for {stage.name}." + (f" {carried} open item(s) carried forward." if carried else ""),
                url=_deliverable_url(deliverable),
            )
    logger.info(
        "reviews.revision_uploaded",
        extra={"deliverable_id": deliverable.pk, "round": revision.round, "carried": carried},
    )
    return revision


def _carry_forward(previous: Revision, revision: Revision) -> int:
    open_items = list(
        FeedbackItem.objects.select_for_update().filter(
            revision=previous, is_action_item=True, status=FeedbackItem.Status.OPEN
        )
    )
    FeedbackItem.objects.bulk_create(
        [
            FeedbackItem(
                stage_id=item.stage_id,
                revision=revision,
                annotation_id=item.annotation_id,
                author_id=item.author_id,
                body=item.body,
                is_action_item=True,
                status=FeedbackItem.Status.OPEN,
                carried_from=item,
            )
            for item in open_items
        ]
    )
    FeedbackItem.objects.filter(pk__in=[item.pk for item in open_items]).update(
        status=FeedbackItem.Status.CARRIED, updated_at=timezone.now()
    )
    return len(open_items)


# --- annotations and feedback items ---------------------------------------------------------------------------


def _notify_feedback(item: FeedbackItem, deliverable: Deliverable, actor) -> None:
    _notify(
        deliverable.assignee,
        actor=actor,
        kind=Notification.Kind.FEEDBACK_ADDED,
        title=f"Feedback on {deliverable.name}",
        body=item.body[:500],
        url=_deliverable_url(deliverable),
    )


def _check_latest(revision: Revision) -> None:
    latest = _latest_revision(revision.deliverable)
    if latest is not None and latest.pk != revision.pk:
        raise ConflictError(f"round {revision.round} is not the latest revision: feedback goes on round {latest.round}")


@transaction.atomic
def annotation_create(
    *, x: float, y: float, body: str, actor, revision: Revision | None = None, stage: Stage | None = None
) -> Annotation:
    """Drop a pin on the latest revision and create its action item, on `stage` when given or else the stage
    under review. Give the revision, the stage, or both (the stage's deliverable's latest revision is used)."""
    _require(actor, Permission.FEEDBACK_WRITE)
    body = (body or "").strip()
    if not body:
        raise ApplicationError("write a comment for the pin", {"field": "body"})
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError) as error:
        raise ApplicationError("x and y must be numbers between 0 and 1") from error
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise ApplicationError("x and y must be between 0 and 1 (fractions of the image)")
    if revision is None and stage is None:
        raise ApplicationError("say which revision or stage the pin is on")
    deliverable_id = revision.deliverable_id if revision is not None else stage.deliverable_id
    deliverable = (
        Deliverable.objects.select_for_update(of=("self",)).select_related("project", "assignee").get(pk=deliverable_id)
    )
    _require_same_organisation(actor, deliverable)
    if stage is not None and stage.deliverable_id != deliverable.pk:
        raise ApplicationError("the revision belongs to another deliverable", {"field": "revisionId"})
    if revision is None:
        revision = _latest_revision(deliverable)
        if revision is None:
            raise ConflictError(f"{deliverable.name} has no revision to annotate yet")
    _check_latest(revision)
    stage = stage or stage_under_review(deliverable)
    if stage is None:
        raise ConflictError("this deliverable has no stages to give feedback on")
    annotation = Annotation.objects.create(revision=revision, author=actor, x=x, y=y, body=body)
    item = FeedbackItem.objects.create(
        stage=stage, revision=revision, annotation=annotation, author=actor, body=body, is_action_item=True
    )
    _notify_feedback(item, deliverable, actor)
    return annotation


@transaction.atomic
def feedback_item_create(
    *, stage: Stage, body: str, actor, is_action_item: bool = True, revision: Revision | None = None
) -> FeedbackItem:
    """Add feedback to a stage, on the given revision or the deliverable's latest one."""
    _require(actor, Permission.FEEDBACK_WRITE)
    body = (body or "").strip()
    if not body:
        raise ApplicationError("feedback cannot be empty", {"field": "body"})
    deliverable = (
        Deliverable.objects.select_for_update(of=("self",))
        .select_related("project", "assignee")
        .get(pk=stage.deliverable_id)
    )
    _require_same_organisation(actor, deliverable)
    if revision is None:
        revision = _latest_revision(deliverable)
    elif revision.deliverable_id != deliverable.pk:
        raise ApplicationError("the revision belongs to another deliverable", {"field": "revisionId"})
    else:
        _check_latest(revision)
    item = FeedbackItem.objects.create(
        stage=stage, revision=revision, author=actor, body=body, is_action_item=is_action_item
    )
    _notify_feedback(item, deliverable, actor)
    return item


def _lock_item(item: FeedbackItem, actor) -> FeedbackItem:
    _require(actor, Permission.FEEDBACK_WRITE)
    item = (
        FeedbackItem.objects.select_for_update(of=("self",))
        .select_related("stage__deliverable__project")
        .get(pk=item.pk)
    )
    _require_same_organisation(actor, item.stage.deliverable)
    if item.status == FeedbackItem.Status.CARRIED:
        raise ConflictError("this item was carried forward to a later round: change it there")
    return item


@transaction.atomic
def feedback_item_edit(
    *, item: FeedbackItem, actor, body: str | None = None, is_action_item: bool | None = None
) -> FeedbackItem:
    """Change an item's text or whether it is an action item; records who edited it and when."""
    item = _lock_item(item, actor)
    changed = []
    if body is not None:
        body = body.strip()
        if not body:
            raise ApplicationError("feedback cannot be empty", {"field": "body"})
        if body != item.body:
            item.body = body
            changed.append("body")
    if is_action_item is not None and is_action_item != item.is_action_item:
        item.is_action_item = is_action_item
        changed.append("is_action_item")
    if changed:
        item.edited_by, item.edited_at = actor, timezone.now()
        item.save(update_fields=[*changed, "edited_by", "edited_at", "updated_at"])
    return item


_ALLOWED_FROM = {
    FeedbackItem.Status.RESOLVED: {FeedbackItem.Status.OPEN},
    FeedbackItem.Status.WONT_FIX: {FeedbackItem.Status.OPEN},
    FeedbackItem.Status.OPEN: {FeedbackItem.Status.RESOLVED, FeedbackItem.Status.WONT_FIX},
}


@transaction.atomic
def feedback_item_set_status(*, item: FeedbackItem, status: str, actor) -> FeedbackItem:
    """Resolve, mark won't-fix, or reopen an item. Records who and when; reopening is only allowed on the
    latest revision, where the FORMAL gate will see it."""
    item = _lock_item(item, actor)
    if status not in _ALLOWED_FROM:
        raise ApplicationError(f"status must be one of OPEN, RESOLVED, WONT_FIX, not {status!r}", {"field": "status"})
    if item.status == status:
        return item
    if item.status not in _ALLOWED_FROM[status]:
        raise ConflictError(
            f"an item that is {item.get_status_display().lower()} cannot become "
            f"{FeedbackItem.Status(status).label.lower()}"
        )
    now = timezone.now()
    if status == FeedbackItem.Status.OPEN:
        if item.revision_id:
            _check_latest(item.revision)
        item.resolved_by, item.resolved_at = None, None
        item.reopened_by, item.reopened_at = actor, now
    else:
        item.resolved_by, item.resolved_at = actor, now
    item.status = status
    item.save(update_fields=["status", "resolved_by", "resolved_at", "reopened_by", "reopened_at", "updated_at"])
    return item


def feedback_item_resolve(*, item: FeedbackItem, actor) -> FeedbackItem:
    return feedback_item_set_status(item=item, status=FeedbackItem.Status.RESOLVED, actor=actor)


def feedback_item_wont_fix(*, item: FeedbackItem, actor) -> FeedbackItem:
    return feedback_item_set_status(item=item, status=FeedbackItem.Status.WONT_FIX, actor=actor)


def feedback_item_reopen(*, item: FeedbackItem, actor) -> FeedbackItem:
    return feedback_item_set_status(item=item, status=FeedbackItem.Status.OPEN, actor=actor)


@transaction.atomic
def feedback_item_update(
    *, item: FeedbackItem, actor, body: str | None = None, is_action_item: bool | None = None, status: str | None = None
) -> FeedbackItem:
    """Edit and/or change the status of an item in one transaction (the API's PATCH)."""
    if body is not None or is_action_item is not None:
        item = feedback_item_edit(item=item, actor=actor, body=body, is_action_item=is_action_item)
    if status is not None:
        item = feedback_item_set_status(item=item, status=status, actor=actor)
    return item


@transaction.atomic
def feedback_item_delete(*, item: FeedbackItem, actor) -> None:
    """Delete an item (and its pin, when no other item still shows it). Only its author or a producer/admin
    may; carried history stays, so a carried or carried-to item cannot be deleted."""
    item = _lock_item(item, actor)
    if (
        item.author_id != actor.pk
        and actor.role not in (User.Role.ADMIN, User.Role.PRODUCER)
        and not actor.is_superuser
    ):
        raise PermissionDeniedError("only the author, a producer or an admin can delete this feedback")
    if item.carried_from_id:
        raise ConflictError("this item continues one from an earlier round: resolve it or mark it won't fix")
    annotation_id = item.annotation_id
    item.delete()
    if annotation_id and not FeedbackItem.objects.filter(annotation_id=annotation_id).exists():
        Annotation.objects.filter(pk=annotation_id).delete()


# --- review sessions ------------------------------------------------------------------------------------------


def _lock_session(session: ReviewSession, actor) -> ReviewSession:
    """Every transition locks the session row first, so two presenters cannot interleave."""
    _require(actor, Permission.REVIEW_RUN)
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
    revision = _latest_revision(deliverable)
    if revision is None:
        raise ConflictError(f"{deliverable.name} has no revision to review yet: upload one first")
    return stage, revision


@transaction.atomic
def review_session_create(
    *, title: str, actor, presenter: User | None = None, deliverables: list[Deliverable] = ()
) -> ReviewSession:
    """Create a DRAFT session, optionally with its first items."""
    _require(actor, Permission.REVIEW_RUN)
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
    for deliverable in locked.values():
        deliverable_set_status(deliverable=deliverable, status=Deliverable.Status.IN_REVIEW, actor=actor)
    session.status = ReviewSession.Status.IN_PROGRESS
    session.started_at = timezone.now()
    session.save(update_fields=["status", "started_at", "updated_at"])
    emit("review_session.started", {"sessionId": str(session.pk), "items": len(items)})
    return session


def formal_gate_refusal(*, stage: Stage, revision: Revision | None = None) -> str | None:
    """Why the FORMAL `stage` may not pass now, or None when it may: a COMPLETED session approved it on the
    deliverable's latest revision, and that revision has no open action items. `revision`, when given, is the
    revision being approved in a session that is completing right now."""
    latest = _latest_revision(stage.deliverable)
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


@transaction.atomic
def review_stage_pass(*, stage: Stage, actor) -> Deliverable:
    """Complete a FORMAL stage whose gate holds (see `formal_gate_refusal`); otherwise refuse with the reason."""
    _require(actor, Permission.REVIEW_RUN)
    deliverable = (
        Deliverable.objects.select_for_update(of=("self",)).select_related("project").get(pk=stage.deliverable_id)
    )
    _require_same_organisation(actor, deliverable)
    if stage.approval_type != ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is not a formal review stage")
    reason = formal_gate_refusal(stage=stage)
    if reason:
        raise ConflictError(f"{stage.name} cannot pass: {reason}")
    return _pass_formal(deliverable, stage, actor)


def _pass_formal(deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    deliverable = deliverable_pass_formal_stage(deliverable=deliverable, stage=stage, actor=actor)
    if deliverable.status == Deliverable.Status.IN_REVIEW:  # a FORMAL stage later on is still to come
        deliverable = deliverable_set_status(
            deliverable=deliverable, status=Deliverable.Status.IN_PROGRESS, actor=actor
        )
    return deliverable


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
    if decision == ReviewSessionItem.Decision.APPROVED:
        reason = formal_gate_refusal(stage=item.stage, revision=item.revision)
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
    items = list(session.items.select_related("deliverable__assignee", "stage", "revision").order_by("position", "id"))
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
            reason = formal_gate_refusal(stage=item.stage, revision=item.revision)
            if reason:
                raise ConflictError(f"cannot approve {deliverable.name}: {reason}")
            _pass_formal(deliverable, item.stage, actor)
        elif item.decision == ReviewSessionItem.Decision.CHANGES_REQUESTED:
            deliverable_send_back_for_amends(deliverable=deliverable, stage=item.stage, actor=actor)
            _notify(
                deliverable.assignee,
                actor=actor,
                kind=Notification.Kind.CHANGES_REQUESTED,
                title=f"Changes requested: {deliverable.name}",
                body=item.notes or f"{item.stage.name} asked for changes on round {item.revision.round}.",
                url=_deliverable_url(deliverable),
            )
        else:
            deliverable_set_status(deliverable=deliverable, status=Deliverable.Status.IN_PROGRESS, actor=actor)
            _notify(
                deliverable.assignee,
                actor=actor,
                kind=Notification.Kind.CHANGES_REQUESTED,
                title=f"Rejected: {deliverable.name}",
                body=item.notes or f"{item.stage.name} rejected round {item.revision.round}.",
                url=_deliverable_url(deliverable),
            )
    emit(
        "review_session.completed",
        {
            "sessionId": str(session.pk),
            "decisions": {str(item.deliverable_id): item.decision for item in items},
        },
    )
    return session
