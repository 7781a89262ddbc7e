"""Writes for deliverables: upsert with stage scaffolding, and the one state machine for stages and status.

Every status change, from any path (UI, webhook, API, review session), goes through `deliverable_set_status`,
which emits `deliverable.status_changed` and, on any change into APPROVED, `deliverable.approved`.
Stage rules (see docs/ARCHITECTURE.md):
- the current stage is the first stage, in order, that is not DONE; it is the only ACTIVE one;
- NONE stages complete by a click, SIMPLE stages by one approval, FORMAL stages only through
  `deliverable_pass_formal_stage`, which the review-session service calls once its gate holds;
- an ON_HOLD deliverable's stages are frozen until it is released.
A person's intent checks its actor's permission here (`require_permission`); `deliverable_set_status`,
`deliverable_pass_formal_stage` and `deliverable_send_back_for_amends` are steps that other services (intake,
review sessions) call after checking their own.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from projects.models import ApprovalType, PipelineStageTemplate, Project
from projects.selectors import pipeline_template_default
from tracker.db import upsert
from tracker.errors import ConflictError, NotFoundError
from tracker.events import emit
from tracker.permissions import Permission, require_permission

from .models import Deliverable, Stage

DELIVERABLE_FIELDS = ("priority", "due_date", "notes", "cmf_sku", "asset_count", "assignee", "custom_fields")
AMENDS_SLUG = "amends"


def _event_payload(deliverable: Deliverable, **extra) -> dict:
    return {
        "deliverableId": str(deliverable.pk),
        "projectId": str(deliverable.project_id),
        "name": deliverable.name,
        "slug": deliverable.slug,
        "status": deliverable.status,
        **extra,
    }


def _stage_templates(project: Project) -> list[PipelineStageTemplate]:
    template = project.pipeline_template or pipeline_template_default(organisation=project.organisation)
    if template is None:
        return []
    return list(template.stages.order_by("order", "id"))


def _scaffold_stages(deliverable: Deliverable) -> None:
    """Copy the project's pipeline (or the default one) onto a new deliverable, first stage active."""
    now = timezone.now()
    stages = [
        Stage(
            deliverable=deliverable,
            template_stage=template,
            name=template.name,
            slug=template.slug,
            order=index,
            approval_type=template.approval_type,
            status=Stage.Status.ACTIVE if index == 0 else Stage.Status.PENDING,
            started_at=now if index == 0 else None,
        )
        for index, template in enumerate(_stage_templates(deliverable.project))
    ]
    Stage.objects.bulk_create(stages)
    if stages:
        deliverable.current_stage = Stage.objects.get(deliverable=deliverable, order=0)
        deliverable.save(update_fields=["current_stage"])


def _free_slug(project: Project, name: str) -> str:
    base = slugify(name)[:100] or "deliverable"
    taken = set(Deliverable.objects.filter(project=project, slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _only_known(fields: dict) -> dict:
    unknown = set(fields) - set(DELIVERABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown deliverable fields: {sorted(unknown)}")
    return fields


@transaction.atomic
def deliverable_upsert(
    *, project: Project, name: str, status: str | None = None, actor=None, **fields
) -> tuple[Deliverable, bool]:
    """Create or update the deliverable keyed by `(project, name)`. Returns `(deliverable, created)`.

    On first insert its stages are copied from the project's pipeline template (or the default one).
    Only the fields passed are written on update. A `status` goes through `deliverable_set_status`.
    """
    _only_known(fields)
    for attempt in range(3):
        try:
            deliverable, created = upsert(
                Deliverable,
                lookup={"project": project, "name": name},
                create_fields={"slug": _free_slug(project, name), **fields},
                update_fields=fields,
            )
            break
        except IntegrityError:
            if attempt == 2:  # another deliverable kept taking the slug we picked
                raise
    if created:
        _scaffold_stages(deliverable)
        emit("deliverable.created", _event_payload(deliverable))
    elif fields:
        emit("deliverable.updated", _event_payload(deliverable))
    if status is not None:
        deliverable = deliverable_set_status(deliverable=deliverable, status=status, actor=actor)
    return deliverable, created


@transaction.atomic
def deliverable_create(*, project: Project, name: str, actor, **fields) -> Deliverable:
    """Create a deliverable (needs DELIVERABLE_CREATE); a name already used in the project raises ConflictError."""
    require_permission(actor, Permission.DELIVERABLE_CREATE)
    if Deliverable.objects.filter(project=project, name=name).exists():
        raise ConflictError("a deliverable with this name already exists in the project", {"field": "name"})
    deliverable, created = deliverable_upsert(project=project, name=name, actor=actor, **fields)
    if not created:  # lost a race to a concurrent create of the same name
        raise ConflictError("a deliverable with this name already exists in the project", {"field": "name"})
    return deliverable


@transaction.atomic
def deliverable_update(*, deliverable: Deliverable, actor, **fields) -> Deliverable:
    """Write the fields passed (needs DELIVERABLE_EDIT). Status and stages change through the intents below."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    _only_known(fields)
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    changed = [name for name, value in fields.items() if getattr(deliverable, name) != value]
    for name in changed:
        setattr(deliverable, name, fields[name])
    if changed:
        deliverable.save(update_fields=[*changed, "updated_at"])
        emit("deliverable.updated", _event_payload(deliverable))
    return deliverable


@transaction.atomic
def deliverable_set_status(*, deliverable: Deliverable, status: str, actor=None) -> Deliverable:
    """The one place a deliverable's status changes. Emits `deliverable.status_changed` and, on a change
    into APPROVED from any other status, `deliverable.approved`."""
    if status not in Deliverable.Status.values:
        raise ConflictError(f"unknown deliverable status {status!r}")
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    previous = deliverable.status
    if previous == status:
        return deliverable
    deliverable.status = status
    deliverable.save(update_fields=["status", "updated_at"])
    payload = _event_payload(deliverable, previousStatus=previous, actorId=str(actor.pk) if actor else None)
    emit("deliverable.status_changed", payload)
    if status == Deliverable.Status.APPROVED:
        emit("deliverable.approved", payload)
    return deliverable


@transaction.atomic
def deliverable_set_status_by_hand(*, deliverable: Deliverable, status: str, actor) -> Deliverable:
    """A person picks the status on the deliverable page (needs DELIVERABLE_EDIT). The other services that change
    status check their own permission and call `deliverable_set_status` directly."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    return deliverable_set_status(deliverable=deliverable, status=status, actor=actor)


def _lock_for_stage_change(deliverable: Deliverable, stage: Stage) -> tuple[Deliverable, Stage]:
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    try:
        stage = Stage.objects.select_for_update().get(pk=stage.pk, deliverable=deliverable)
    except Stage.DoesNotExist as error:
        raise NotFoundError("stage not found on this deliverable") from error
    if deliverable.status == Deliverable.Status.ON_HOLD:
        raise ConflictError("the deliverable is on hold: release it before changing its stages")
    if stage.status != Stage.Status.ACTIVE:
        raise ConflictError(f"stage {stage.name!r} is not the current stage")
    return deliverable, stage


def _activate_first_open_stage(deliverable: Deliverable) -> Stage | None:
    now = timezone.now()
    following = deliverable.stages.exclude(status=Stage.Status.DONE).order_by("order").first()
    if following is not None and following.status != Stage.Status.ACTIVE:
        following.status = Stage.Status.ACTIVE
        following.started_at = now
        following.save(update_fields=["status", "started_at"])
    deliverable.current_stage = following
    deliverable.save(update_fields=["current_stage", "updated_at"])
    return following


def _complete(deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    stage.status = Stage.Status.DONE
    stage.completed_by = actor
    stage.completed_at = timezone.now()
    stage.save(update_fields=["status", "completed_by", "completed_at"])
    following = _activate_first_open_stage(deliverable)
    emit(
        "deliverable.stage_completed",
        _event_payload(
            deliverable,
            stage=stage.name,
            approvalType=stage.approval_type,
            nextStage=following.name if following else None,
            actorId=str(actor.pk) if actor else None,
        ),
    )
    formal_left = deliverable.stages.filter(approval_type=ApprovalType.FORMAL).exclude(status=Stage.Status.DONE)
    has_formal = deliverable.stages.filter(approval_type=ApprovalType.FORMAL).exists()
    if (stage.approval_type == ApprovalType.FORMAL and not formal_left.exists()) or (
        not has_formal and following is None
    ):
        return deliverable_set_status(deliverable=deliverable, status=Deliverable.Status.APPROVED, actor=actor)
    if deliverable.status == Deliverable.Status.NOT_STARTED:
        return deliverable_set_status(deliverable=deliverable, status=Deliverable.Status.IN_PROGRESS, actor=actor)
    return deliverable


@transaction.atomic
def deliverable_complete_stage(*, deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    """Mark the current NONE-gate stage done and activate the next one. Needs DELIVERABLE_EDIT."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    deliverable, stage = _lock_for_stage_change(deliverable, stage)
    if stage.approval_type == ApprovalType.SIMPLE:
        raise ConflictError(f"stage {stage.name!r} needs an approval, not a completion")
    if stage.approval_type == ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is completed only by a formal review session")
    return _complete(deliverable, stage, actor)


@transaction.atomic
def deliverable_approve_stage(*, deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    """Record one approval of the current SIMPLE-gate stage (who and when) and move on. Needs STAGE_APPROVE."""
    require_permission(actor, Permission.STAGE_APPROVE)
    deliverable, stage = _lock_for_stage_change(deliverable, stage)
    if stage.approval_type == ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is completed only by a formal review session")
    if stage.approval_type != ApprovalType.SIMPLE:
        raise ConflictError(f"stage {stage.name!r} has no approval gate: mark it complete instead")
    return _complete(deliverable, stage, actor)


@transaction.atomic
def deliverable_pass_formal_stage(*, deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    """Complete a FORMAL stage. Only the review-session service calls this, after checking its gate."""
    deliverable, stage = _lock_for_stage_change(deliverable, stage)
    if stage.approval_type != ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is not a formal review stage")
    return _complete(deliverable, stage, actor)


def _amends_target(deliverable: Deliverable, formal: Stage) -> Stage | None:
    stages = list(deliverable.stages.order_by("order"))
    amends = [s for s in stages if s.slug == AMENDS_SLUG]
    before = [s for s in amends if s.order < formal.order]
    after = [s for s in amends if s.order > formal.order]
    if before:
        return before[-1]
    if after:
        return after[0]
    earlier = [s for s in stages if s.order < formal.order]
    return earlier[-1] if earlier else None


@transaction.atomic
def deliverable_send_back_for_amends(*, deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    """A formal review asked for changes: the Amends stage (or the stage before the FORMAL one) becomes
    current, the FORMAL stage and everything after the earlier of the two go back to PENDING, and the
    deliverable is IN_PROGRESS again. Once Amends is done, the FORMAL stage is the first open one again."""
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    stage = Stage.objects.select_for_update().get(pk=stage.pk, deliverable=deliverable)
    target = _amends_target(deliverable, stage)
    if target is None:
        raise ConflictError(f"stage {stage.name!r} has no earlier stage to send the work back to")
    now = timezone.now()
    reset = deliverable.stages.filter(order__gt=min(target.order, stage.order)).exclude(pk=target.pk)
    reset.update(status=Stage.Status.PENDING, completed_by=None, completed_at=None, started_at=None)
    Stage.objects.filter(pk=stage.pk).update(
        status=Stage.Status.PENDING, completed_by=None, completed_at=None, started_at=None
    )
    Stage.objects.filter(pk=target.pk).update(
        status=Stage.Status.ACTIVE, completed_by=None, completed_at=None, started_at=now
    )
    deliverable.current_stage = target
    deliverable.save(update_fields=["current_stage", "updated_at"])
    emit("deliverable.changes_requested", _event_payload(deliverable, stage=stage.name, amendsStage=target.name))
    return deliverable_set_status(deliverable=deliverable, status=Deliverable.Status.IN_PROGRESS, actor=actor)
