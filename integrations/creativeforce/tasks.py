"""Task events: a CF task is one workflow step of one product, so it moves (or notes) the product's stage of
that name and says who works on the product.

Not a Celery module: Creative Force calls these "tasks".
"""

from deliverables.models import Deliverable
from integrations.upstream import services as upstream
from integrations.upstream.models import UpstreamMapping, UpstreamObject
from tracker.models import Organisation

from . import defaults
from .keys import Kind, product_key
from .mapping import PROVIDER, SYSTEM, Result, Status, lock, mapped, note, product_deliverable
from .payload import CfEvent, fold, text

# Task actions that say the step is not (or no longer) done, whatever StepStatusName says.
STEP_NOT_DONE = frozenset({"created", "started", "readytowork", "reset", "rejected", "tasksoftrejected", "failed"})


def _step_done(event: CfEvent) -> bool:
    if event.action in defaults.STEP_DONE:
        return True
    return event.action not in STEP_NOT_DONE and fold(event.get("StepStatusName")) in defaults.STEP_DONE


def _assignee_id(event: CfEvent) -> str:
    assignee = event.body.get("Assignee")
    user_id = text(assignee.get("UserId")) if isinstance(assignee, dict) else ""
    return "" if user_id == defaults.NOBODY else user_id


def _assign(organisation: Organisation, event: CfEvent, task: UpstreamObject, deliverable: Deliverable) -> str:
    """Assigned -> the USER map's user becomes the assignee; Unassigned clears the assignee only if this task
    put them there (a product has several tasks, and another may have assigned someone since)."""
    step = event.get("StepName") or "task"
    user_id = _assignee_id(event)
    if event.action == "assigned":
        user = upstream.mapped_user(organisation=organisation, provider=PROVIDER, values=[user_id]) if user_id else None
        if user is None:
            note(deliverable, f"{step} assigned in Creative Force to user {user_id or '(none)'}, not mapped here.")
            return "noted"
        upstream.set_assignee(deliverable, user=user, system=SYSTEM)
        upstream.object_touch(task, data={"assignee": user.pk})
        return "assigned"
    assigned_here = task.data.get("assignee")
    if assigned_here and deliverable.assignee_id == assigned_here:
        upstream.set_assignee(deliverable, user=None, system=SYSTEM)
        upstream.object_touch(task, data={"assignee": None})
        return "unassigned"
    note(deliverable, f"{step} unassigned in Creative Force.")
    return "noted"


def _step(organisation: Organisation, event: CfEvent, deliverable: Deliverable) -> str:
    """The step through the STEP map (default: the stage of the same name) and the state machine: done ->
    `report_step` (a NONE stage completes; a gated stage gets a note and its approver a notification)."""
    step = event.get("StepName")
    if not step:
        note(deliverable, f"Task {event.get('Action')} in Creative Force.")
        return "noted"
    stage_name = mapped(organisation, UpstreamMapping.Kind.STEP, step, step)
    if stage_name is None:
        return "ignored"  # the studio mapped this step to nothing: its events are not ours to record
    status = event.get("StepStatusName")
    if _step_done(event):
        return upstream.report_step(deliverable, stage_name=stage_name, system=SYSTEM, detail=status)
    state = f", now {status}" if status else ""
    note(deliverable, f"Task {step}: {event.get('Action')} in Creative Force{state}.")
    return "noted"


def on_task(organisation: Organisation, event: CfEvent) -> Result:
    task = lock(organisation, Kind.TASK, event.get("TaskId"))
    if upstream.object_is_stale(task, event.event_at):
        return Result(Status.STALE, object_id=str(task.deliverable_id or ""))
    product = lock(organisation, Kind.PRODUCT, product_key(event.get("JobId"), event.get("ProductId")))
    deliverable, _created = product_deliverable(organisation, event, product)
    if event.action in defaults.ASSIGNMENT_ACTIONS:
        action = _assign(organisation, event, task, deliverable)
    else:
        action = _step(organisation, event, deliverable)
    upstream.object_touch(task, event_at=event.event_at, deliverable=deliverable)
    return Result(action=action, object_id=str(deliverable.pk))
