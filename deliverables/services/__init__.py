"""Writes for deliverables. `upsert` holds the deliverable's own fields (intake, create, edit); `intents` is the
state machine, the only code that changes a deliverable's status or stages (see `deliverables/machine.py`).
Callers import the service they use from here."""

from .intents import (
    deliverable_approve_stage,
    deliverable_complete_stage,
    deliverable_hold,
    deliverable_pass_formal_stage,
    deliverable_reject,
    deliverable_release,
    deliverable_reopen_stage,
    deliverable_request_changes,
    deliverable_set_by_upstream,
    deliverable_set_status_by_person,
    deliverable_start_review,
    four_eyes_refusal,
)
from .upsert import deliverable_create, deliverable_update, deliverable_upsert
from .upstream import (
    StepOutcome,
    deliverable_hold_by_upstream,
    deliverable_note,
    deliverable_release_by_upstream,
    deliverable_report_step,
    stage_approver,
)

__all__ = [
    "StepOutcome",
    "deliverable_hold_by_upstream",
    "deliverable_note",
    "deliverable_release_by_upstream",
    "deliverable_report_step",
    "stage_approver",
    "deliverable_approve_stage",
    "deliverable_complete_stage",
    "deliverable_create",
    "deliverable_hold",
    "deliverable_pass_formal_stage",
    "deliverable_reject",
    "deliverable_release",
    "deliverable_reopen_stage",
    "deliverable_request_changes",
    "deliverable_set_by_upstream",
    "deliverable_set_status_by_person",
    "deliverable_start_review",
    "deliverable_update",
    "deliverable_upsert",
    "four_eyes_refusal",
]
