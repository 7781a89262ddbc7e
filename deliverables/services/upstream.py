"""Intents for upstream production systems (Creative Force, Optimizely CMP ...) that report progress on a
deliverable. They go through the same state machine as people, and never past a gate: a step reported done
completes a NONE stage; a SIMPLE or FORMAL stage only gets a note in the history and its approver a notification.

`actor=None` throughout: the adapter's edge has authenticated the system; the history names it (`system`).
"""

from django.db import transaction
from django.urls import reverse

from projects.models import ApprovalType
from tracker.models import Notification
from tracker.services import notification_create

from ..machine import Intent, allowed
from ..models import Deliverable, Stage
from .intents import Origin, Source, _apply, _complete, _lock


class StepOutcome:
    COMPLETED = "completed"  # a NONE stage completed
    NOTED = "noted"  # recorded in the history only (gate, later stage, on hold, unknown stage)
    UNCHANGED = "unchanged"  # the stage was already done


def stage_approver(deliverable: Deliverable):
    """Who approves a deliverable's gated stages: the producer who owns its project."""
    return deliverable.project.owner


@transaction.atomic
def deliverable_note(
    *, deliverable: Deliverable, system: str, note: str, source: str = Source.WEBHOOK, stage: Stage | None = None
) -> Deliverable:
    """A line in the deliverable's history from an upstream system; status and stages stay as they are."""
    deliverable, stages = _lock(deliverable)
    return _apply(deliverable, stages, Intent.NOTE, Origin(source, None, system), stage=stage, note=note)


def _find_stage(stages: list[Stage], name: str) -> Stage | None:
    wanted = name.strip().casefold()
    return next((s for s in stages if s.name.casefold() == wanted or s.slug == wanted), None)


@transaction.atomic
def deliverable_report_step(
    *, deliverable: Deliverable, stage_name: str, system: str, source: str = Source.WEBHOOK, detail: str = ""
) -> str:
    """An upstream system says the work of `stage_name` is done. Returns a StepOutcome."""
    deliverable, stages = _lock(deliverable)
    origin = Origin(source, None, system)
    stage = _find_stage(stages, stage_name)
    current = next((s for s in stages if s.status == Stage.Status.ACTIVE), None)
    suffix = f" ({detail})" if detail else ""

    def noted(text: str) -> str:
        _apply(deliverable, stages, Intent.NOTE, origin, stage=stage, note=text + suffix)
        return StepOutcome.NOTED

    if stage is None:
        return noted(f"{system} reported step {stage_name!r} done; no stage of this pipeline has that name")
    if stage.status == Stage.Status.DONE:
        return StepOutcome.UNCHANGED
    if deliverable.status == Deliverable.Status.ON_HOLD or not allowed(Intent.COMPLETE, deliverable.status):
        return noted(f"{system} reported {stage.name} done while the deliverable is {deliverable.get_status_display()}")
    if current is None or stage.pk != current.pk:
        waiting = current.name if current else "the stages before it"
        return noted(f"{system} reported {stage.name} done; waiting for {waiting} first")
    if stage.approval_type == ApprovalType.NONE:
        _complete(deliverable, stages, stage, origin, Intent.COMPLETE, note=f"Reported done by {system}{suffix}")
        return StepOutcome.COMPLETED
    gate = "an approval" if stage.approval_type == ApprovalType.SIMPLE else "a formal review"
    outcome = noted(f"{system} reported {stage.name} done; the stage waits for {gate} here")
    approver = stage_approver(deliverable)
    if approver is not None and approver.is_active:
        notification_create(
            recipient=approver,
            kind=Notification.Kind.STAGE_WAITING,
            title=f"{deliverable.name}: {stage.name} is ready for {gate}",
            body=f"{system} reported the work of {stage.name} done.",
            url=reverse("deliverables:detail", args=[deliverable.pk]),
        )
    return outcome


@transaction.atomic
def deliverable_hold_by_upstream(*, deliverable: Deliverable, system: str, note: str) -> Deliverable:
    """Put on hold for an upstream system (a product deleted there); already on hold: the note alone."""
    deliverable, stages = _lock(deliverable)
    intent = Intent.HOLD if allowed(Intent.HOLD, deliverable.status) else Intent.NOTE
    return _apply(deliverable, stages, intent, Origin(Source.WEBHOOK, None, system), note=note)


@transaction.atomic
def deliverable_release_by_upstream(*, deliverable: Deliverable, system: str, note: str) -> Deliverable:
    """Release for an upstream system (a product back in work there): back to the status held from; not on hold:
    the note alone."""
    deliverable, stages = _lock(deliverable)
    intent = Intent.RELEASE if allowed(Intent.RELEASE, deliverable.status) else Intent.NOTE
    return _apply(deliverable, stages, intent, Origin(Source.WEBHOOK, None, system), note=note)
