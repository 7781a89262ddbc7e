"""The intents: the only code that changes a deliverable's status or its stages.

Each intent is named for what happened (a stage approved, changes requested in a session, put on hold, set by an
upstream system). It locks the deliverable, asks the transition table (`deliverables.machine`) whether the intent
is allowed from the current status, moves the stages, sets the status the table leads to, and writes a
`Transition` row, all in one transaction. It emits `deliverable.status_changed` on a change of status and
`deliverable.approved` on a change into APPROVED (the Box push hears that one).

People's intents check their permission here; the review-session intents check REVIEW_RUN (the reviews services
call them once their own gate holds); `actor=None` is an upstream system its edge already authenticated.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from projects.models import ApprovalType
from tracker.errors import ConflictError, NotFoundError
from tracker.events import emit
from tracker.permissions import Permission, require_permission

from ..machine import TRANSITIONS, Intent, allowed, follow_on_status, refusal
from ..models import Deliverable, Revision, Stage, Transition
from .common import event_payload

Source = Transition.Source
AMENDS_SLUG = "amends"


@dataclass(frozen=True)
class Origin:
    """Who moved the deliverable, and through which door: a person (`actor`) or an upstream `system`."""

    source: str
    actor: object = None
    system: str = ""


def _lock(deliverable: Deliverable) -> tuple[Deliverable, list[Stage]]:
    deliverable = Deliverable.objects.select_for_update().select_related("project").get(pk=deliverable.pk)
    stages = list(Stage.objects.select_for_update().filter(deliverable=deliverable).order_by("order"))
    return deliverable, stages


def _stage_in(stages: list[Stage], stage: Stage) -> Stage:
    for candidate in stages:
        if candidate.pk == stage.pk:
            return candidate
    raise NotFoundError("stage not found on this deliverable")


def _current(stages: list[Stage], stage: Stage) -> Stage:
    stage = _stage_in(stages, stage)
    if stage.status != Stage.Status.ACTIVE:
        raise ConflictError(f"stage {stage.name!r} is not the current stage")
    return stage


def _apply(
    deliverable: Deliverable,
    stages: list[Stage],
    intent: Intent,
    origin: Origin,
    *,
    stage: Stage | None = None,
    note: str = "",
    status: str | None = None,
) -> Deliverable:
    """Set the status the table leads to and record the transition (the stages have already moved)."""
    previous = deliverable.status
    targets = TRANSITIONS[intent][previous]
    if status is None:
        if intent == Intent.RELEASE:
            status = deliverable.held_from or follow_on_status(stages)
        elif len(targets) == 1:
            status = targets[0]
        else:
            status = follow_on_status(stages)
    if status not in targets:
        raise ConflictError(f"{intent.value} cannot lead from {previous} to {status}")
    deliverable.held_from = (
        previous if intent == Intent.HOLD else ("" if intent == Intent.RELEASE else deliverable.held_from)
    )
    deliverable.status = status
    deliverable.current_stage = next((s for s in stages if s.status == Stage.Status.ACTIVE), None)
    deliverable.save(update_fields=["status", "held_from", "current_stage", "updated_at"])
    Transition.objects.create(
        deliverable=deliverable,
        intent=intent.value,
        from_status=previous,
        to_status=status,
        stage=stage,
        stage_name=stage.name if stage else "",
        actor=origin.actor,
        system=origin.system[:100],
        source=origin.source,
        note=(note or "").strip(),
    )
    if status != previous:
        payload = event_payload(
            deliverable,
            previousStatus=previous,
            intent=intent.value,
            source=origin.source,
            actorId=str(origin.actor.pk) if origin.actor else None,
        )
        emit("deliverable.status_changed", payload)
        if status == Deliverable.Status.APPROVED:
            emit("deliverable.approved", payload)
    return deliverable


def _refuse_unless_allowed(deliverable: Deliverable, intent: Intent) -> None:
    if not allowed(intent, deliverable.status):
        raise ConflictError(refusal(intent, deliverable.status), {"intent": intent.value})


def four_eyes_refusal(*, stage: Stage, approver) -> str | None:
    """Why `approver` may not approve `stage` under its four-eyes rule (they uploaded the revision under review)."""
    if not stage.requires_different_approver or approver is None:
        return None
    latest = Revision.objects.filter(deliverable_id=stage.deliverable_id).order_by("-round").first()
    if latest is not None and latest.created_by_id == approver.pk:
        return (
            f"{stage.name} needs a second pair of eyes: round {latest.round} was uploaded by you, "
            "so someone else must approve it"
        )
    return None


def _activate(stage: Stage, now) -> None:
    stage.status, stage.started_at = Stage.Status.ACTIVE, now
    stage.completed_by, stage.completed_at = None, None
    stage.save(update_fields=["status", "started_at", "completed_by", "completed_at"])


def _complete(deliverable: Deliverable, stages: list[Stage], stage: Stage, origin: Origin, intent: Intent, note=""):
    _refuse_unless_allowed(deliverable, intent)
    now = timezone.now()
    stage.status, stage.completed_by, stage.completed_at = Stage.Status.DONE, origin.actor, now
    stage.save(update_fields=["status", "completed_by", "completed_at"])
    following = next((s for s in stages if s.status != Stage.Status.DONE), None)
    if following is not None and following.status != Stage.Status.ACTIVE:
        _activate(following, now)
    emit(
        "deliverable.stage_completed",
        event_payload(
            deliverable,
            stage=stage.name,
            approvalType=stage.approval_type,
            nextStage=following.name if following else None,
            actorId=str(origin.actor.pk) if origin.actor else None,
        ),
    )
    return _apply(deliverable, stages, intent, origin, stage=stage, note=note)


# --- Stage gates a person passes on the deliverable page ------------------------------------------------------


@transaction.atomic
def deliverable_complete_stage(
    *, deliverable: Deliverable, stage: Stage, actor, source: str = Source.UI
) -> Deliverable:
    """NONE gate: mark the current stage done and activate the next one. Needs DELIVERABLE_EDIT."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.COMPLETE)
    stage = _current(stages, stage)
    if stage.approval_type == ApprovalType.SIMPLE:
        raise ConflictError(f"stage {stage.name!r} needs an approval, not a completion")
    if stage.approval_type == ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is completed only by a formal review session")
    return _complete(deliverable, stages, stage, Origin(source, actor), Intent.COMPLETE)


@transaction.atomic
def deliverable_approve_stage(*, deliverable: Deliverable, stage: Stage, actor, source: str = Source.UI) -> Deliverable:
    """SIMPLE gate: one recorded approval of the current stage (who and when), then the next one. Needs
    STAGE_APPROVE, and under four-eyes someone other than the uploader of the latest revision."""
    require_permission(actor, Permission.STAGE_APPROVE)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.APPROVE)
    stage = _current(stages, stage)
    if stage.approval_type == ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is completed only by a formal review session")
    if stage.approval_type != ApprovalType.SIMPLE:
        raise ConflictError(f"stage {stage.name!r} has no approval gate: mark it complete instead")
    reason = four_eyes_refusal(stage=stage, approver=actor)
    if reason:
        raise ConflictError(reason)
    return _complete(deliverable, stages, stage, Origin(source, actor), Intent.APPROVE)


@transaction.atomic
def deliverable_reopen_stage(
    *, deliverable: Deliverable, stage: Stage, actor, note: str = "", source: str = Source.UI
) -> Deliverable:
    """Undo a completion made by mistake: the last completed stage (a NONE or SIMPLE one) is current again and the
    stage after it goes back to PENDING. A FORMAL stage's pass belongs to its review session and is not undone
    here. Needs DELIVERABLE_EDIT."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.REOPEN)
    stage = _stage_in(stages, stage)
    done = [s for s in stages if s.status == Stage.Status.DONE]
    if not done or done[-1].pk != stage.pk:
        raise ConflictError(f"only the last completed stage can be reopened, and {stage.name!r} is not it")
    if stage.approval_type == ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} was passed by a review session: start a new round instead")
    for later in stages:
        if later.order > stage.order and later.status != Stage.Status.PENDING:
            later.status, later.started_at = Stage.Status.PENDING, None
            later.save(update_fields=["status", "started_at"])
    _activate(stage, timezone.now())
    emit("deliverable.stage_reopened", event_payload(deliverable, stage=stage.name, actorId=str(actor.pk)))
    return _apply(deliverable, stages, Intent.REOPEN, Origin(source, actor), stage=stage, note=note)


# --- Hold and release: the only statuses a person sets by hand ------------------------------------------------


@transaction.atomic
def deliverable_hold(*, deliverable: Deliverable, actor, note: str = "", source: str = Source.UI) -> Deliverable:
    """Freeze the deliverable (its stages cannot change) until it is released. Needs DELIVERABLE_EDIT."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.HOLD)
    return _apply(deliverable, stages, Intent.HOLD, Origin(source, actor), note=note)


@transaction.atomic
def deliverable_release(*, deliverable: Deliverable, actor, note: str = "", source: str = Source.UI) -> Deliverable:
    """Back to the status it had when it was put on hold. Needs DELIVERABLE_EDIT."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.RELEASE)
    return _apply(deliverable, stages, Intent.RELEASE, Origin(source, actor), note=note)


@transaction.atomic
def deliverable_set_status_by_person(
    *, deliverable: Deliverable, status: str, actor, source: str = Source.UI
) -> Deliverable:
    """A status a person asked for by name (the REST twin's `status`): ON_HOLD holds, leaving ON_HOLD releases,
    the current status changes nothing. Any other status is reached only through the stage gates."""
    if status not in Deliverable.Status.values:
        raise ConflictError(f"unknown deliverable status {status!r}")
    current = Deliverable.objects.only("status").get(pk=deliverable.pk).status
    if status == current:
        require_permission(actor, Permission.DELIVERABLE_EDIT)
        return deliverable
    if status == Deliverable.Status.ON_HOLD:
        return deliverable_hold(deliverable=deliverable, actor=actor, source=source)
    if current == Deliverable.Status.ON_HOLD:
        return deliverable_release(deliverable=deliverable, actor=actor, source=source)
    raise ConflictError(
        f"{Deliverable.Status(status).label} is reached through the stage gates: a person may only put a "
        "deliverable on hold or release it",
        {"field": "status"},
    )


# --- Upstream systems ---------------------------------------------------------------------------------------


@transaction.atomic
def deliverable_set_by_upstream(
    *, deliverable: Deliverable, status: str, source: str, system: str, actor=None
) -> Deliverable:
    """An upstream system (the deliverables webhook, /api/v1) sets a status the guide lists, from any status, as
    the guide allows. The history records the system; the stages are left as they are."""
    if status not in Deliverable.Status.values:
        raise ConflictError(f"unknown deliverable status {status!r}")
    deliverable, stages = _lock(deliverable)
    if deliverable.status == status:
        return deliverable
    return _apply(deliverable, stages, Intent.SET_BY_UPSTREAM, Origin(source, actor, system), status=status)


# --- Review sessions (reviews calls these once its own gate holds) --------------------------------------------


def _formal(stages: list[Stage], stage: Stage) -> Stage:
    stage = _current(stages, stage)
    if stage.approval_type != ApprovalType.FORMAL:
        raise ConflictError(f"stage {stage.name!r} is not a formal review stage")
    return stage


@transaction.atomic
def deliverable_start_review(*, deliverable: Deliverable, stage: Stage, actor) -> Deliverable:
    """A review session started with the deliverable at its FORMAL `stage`: IN_REVIEW."""
    require_permission(actor, Permission.REVIEW_RUN)
    deliverable, stages = _lock(deliverable)
    if deliverable.status == Deliverable.Status.IN_REVIEW:
        return deliverable
    _refuse_unless_allowed(deliverable, Intent.START_REVIEW)
    stage = _formal(stages, stage)
    return _apply(deliverable, stages, Intent.START_REVIEW, Origin(Source.REVIEW_SESSION, actor), stage=stage)


@transaction.atomic
def deliverable_pass_formal_stage(*, deliverable: Deliverable, stage: Stage, actor, note: str = "") -> Deliverable:
    """A completed session approved the FORMAL `stage`: it is done, the next stage is current, and the status
    follows the stages (APPROVED once the last FORMAL stage passes, IN_PROGRESS while another is to come)."""
    require_permission(actor, Permission.REVIEW_RUN)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.PASS_FORMAL)
    stage = _formal(stages, stage)
    reason = four_eyes_refusal(stage=stage, approver=actor)
    if reason:
        raise ConflictError(reason)
    return _complete(deliverable, stages, stage, Origin(Source.REVIEW_SESSION, actor), Intent.PASS_FORMAL, note)


def _amends_target(stages: list[Stage], formal: Stage) -> Stage | None:
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
def deliverable_request_changes(*, deliverable: Deliverable, stage: Stage, actor, note: str = "") -> Deliverable:
    """A session asked for changes at the FORMAL `stage`: the Amends stage (or the stage before the FORMAL one)
    becomes current, the FORMAL stage and everything after the earlier of the two go back to PENDING, and the
    deliverable is IN_PROGRESS. Once Amends is done, the FORMAL stage is the first open one again."""
    require_permission(actor, Permission.REVIEW_RUN)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.REQUEST_CHANGES)
    stage = _stage_in(stages, stage)
    target = _amends_target(stages, stage)
    if target is None:
        raise ConflictError(f"stage {stage.name!r} has no earlier stage to send the work back to")
    now = timezone.now()
    for other in stages:
        if other.pk == target.pk:
            _activate(other, now)
        elif other.pk == stage.pk or other.order > min(target.order, stage.order):
            other.status, other.started_at, other.completed_by, other.completed_at = (
                Stage.Status.PENDING,
                None,
                None,
                None,
            )
            other.save(update_fields=["status", "started_at", "completed_by", "completed_at"])
    emit("deliverable.changes_requested", event_payload(deliverable, stage=stage.name, amendsStage=target.name))
    origin = Origin(Source.REVIEW_SESSION, actor)
    return _apply(deliverable, stages, Intent.REQUEST_CHANGES, origin, stage=stage, note=note)


@transaction.atomic
def deliverable_reject(*, deliverable: Deliverable, stage: Stage, actor, note: str = "") -> Deliverable:
    """A session rejected the round at the FORMAL `stage`: the stage stays current and work goes on (IN_PROGRESS)
    towards a new revision."""
    require_permission(actor, Permission.REVIEW_RUN)
    deliverable, stages = _lock(deliverable)
    _refuse_unless_allowed(deliverable, Intent.REJECT)
    stage = _stage_in(stages, stage)
    return _apply(deliverable, stages, Intent.REJECT, Origin(Source.REVIEW_SESSION, actor), stage=stage, note=note)
