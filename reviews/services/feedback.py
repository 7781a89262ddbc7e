"""Annotations (pins) and feedback items on a deliverable's latest round: create, edit, resolve, reopen,
delete. Every write needs FEEDBACK_WRITE and the actor's own organisation; an item carried forward to a later
round is history and changes only there."""

from django.db import transaction
from django.utils import timezone

from deliverables.models import Deliverable, Revision, Stage
from tracker.errors import ApplicationError, ConflictError, PermissionDeniedError
from tracker.events import emit
from tracker.models import User
from tracker.permissions import Permission, require_permission

from ..models import Annotation, FeedbackItem
from .common import latest_revision, require_same_organisation, stage_under_review
from .notices import notify_feedback


def _emit(name: str, item: FeedbackItem, deliverable: Deliverable, actor) -> None:
    """`feedback.created` / `feedback.resolved`, carrying the organisation the outbound webhooks need."""
    ids = {
        "feedbackId": str(item.pk),
        "deliverableId": str(deliverable.pk),
        "actorId": str(actor.pk) if actor else None,
    }
    emit(name, {**ids, "organisationId": str(deliverable.project.organisation_id), "status": item.status})


def _check_latest(revision: Revision) -> None:
    latest = latest_revision(revision.deliverable)
    if latest is not None and latest.pk != revision.pk:
        raise ConflictError(f"round {revision.round} is not the latest revision: feedback goes on round {latest.round}")


@transaction.atomic
def annotation_create(
    *, x: float, y: float, body: str, actor, revision: Revision | None = None, stage: Stage | None = None
) -> Annotation:
    """Drop a pin on the latest revision and create its action item, on `stage` when given or else the stage
    under review. Give the revision, the stage, or both (the stage's deliverable's latest revision is used)."""
    require_permission(actor, Permission.FEEDBACK_WRITE)
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
    require_same_organisation(actor, deliverable)
    if stage is not None and stage.deliverable_id != deliverable.pk:
        raise ApplicationError("the revision belongs to another deliverable", {"field": "revisionId"})
    if revision is None:
        revision = latest_revision(deliverable)
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
    notify_feedback(item, deliverable, actor)
    _emit("feedback.created", item, deliverable, actor)
    return annotation


@transaction.atomic
def feedback_item_create(
    *, stage: Stage, body: str, actor, is_action_item: bool = True, revision: Revision | None = None
) -> FeedbackItem:
    """Add feedback to a stage, on the given revision or the deliverable's latest one."""
    require_permission(actor, Permission.FEEDBACK_WRITE)
    body = (body or "").strip()
    if not body:
        raise ApplicationError("feedback cannot be empty", {"field": "body"})
    deliverable = (
        Deliverable.objects.select_for_update(of=("self",))
        .select_related("project", "assignee")
        .get(pk=stage.deliverable_id)
    )
    require_same_organisation(actor, deliverable)
    if revision is None:
        revision = latest_revision(deliverable)
    elif revision.deliverable_id != deliverable.pk:
        raise ApplicationError("the revision belongs to another deliverable", {"field": "revisionId"})
    else:
        _check_latest(revision)
    item = FeedbackItem.objects.create(
        stage=stage, revision=revision, author=actor, body=body, is_action_item=is_action_item
    )
    notify_feedback(item, deliverable, actor)
    _emit("feedback.created", item, deliverable, actor)
    return item


def _lock_item(item: FeedbackItem, actor) -> FeedbackItem:
    require_permission(actor, Permission.FEEDBACK_WRITE)
    item = (
        FeedbackItem.objects.select_for_update(of=("self",))
        .select_related("stage__deliverable__project")
        .get(pk=item.pk)
    )
    require_same_organisation(actor, item.stage.deliverable)
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
    if status != FeedbackItem.Status.OPEN:
        _emit("feedback.resolved", item, item.stage.deliverable, actor)
    return item


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
