"""The deliverable state machine, declared: which intent may move a deliverable from which status to which.

`TRANSITIONS[intent][status]` lists the statuses the intent may lead to from that status: one, or several when the
stages decide (`follow_on_status`) or, for a release, the status held before. An intent whose row has no entry for
the current status is refused with a reason. The
services in `deliverables.services.intents` are the only code that changes a deliverable's status or its stages,
and they ask this table first; `manage.py deliverable_state_diagram` draws it for docs/ARCHITECTURE.md.
"""

from collections.abc import Iterable
from enum import StrEnum

from projects.models import ApprovalType

from .models import Deliverable, Stage

Status = Deliverable.Status


class Intent(StrEnum):
    """What happened, in the words of the person or system it happened to."""

    START_REVIEW = "start_review"  # a review session started with the deliverable at its FORMAL stage
    PASS_FORMAL = "pass_formal"  # a completed session approved the FORMAL stage
    REQUEST_CHANGES = "request_changes"  # a session asked for changes: back to Amends
    REJECT = "reject"  # a session rejected the round: same stage, work goes on
    COMPLETE = "complete"  # a NONE-gate stage marked complete
    APPROVE = "approve"  # a SIMPLE-gate stage approved
    REOPEN = "reopen"  # a stage completed by mistake is current again
    HOLD = "hold"
    RELEASE = "release"
    SET_BY_UPSTREAM = "set_by_upstream"  # an upstream system (webhook, /api/v1) set the status
    NOTE = "note"  # something worth knowing happened upstream; status and stages stay as they are


_WORKING = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_REVIEW, Status.APPROVED)
# Where the stages lead once an intent has moved them (`follow_on_status` picks one).
_STAGES_DECIDE = (Status.IN_PROGRESS, Status.APPROVED)

TRANSITIONS: dict[Intent, dict[str, tuple[str, ...]]] = {
    Intent.START_REVIEW: {Status.NOT_STARTED: (Status.IN_REVIEW,), Status.IN_PROGRESS: (Status.IN_REVIEW,)},
    Intent.PASS_FORMAL: {Status.IN_REVIEW: _STAGES_DECIDE, Status.IN_PROGRESS: _STAGES_DECIDE},
    Intent.REQUEST_CHANGES: {Status.IN_REVIEW: (Status.IN_PROGRESS,), Status.IN_PROGRESS: (Status.IN_PROGRESS,)},
    Intent.REJECT: {Status.IN_REVIEW: (Status.IN_PROGRESS,), Status.IN_PROGRESS: (Status.IN_PROGRESS,)},
    Intent.COMPLETE: {s: _STAGES_DECIDE for s in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.APPROVED)},
    Intent.APPROVE: {s: _STAGES_DECIDE for s in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.APPROVED)},
    Intent.REOPEN: {
        Status.IN_PROGRESS: (Status.NOT_STARTED, Status.IN_PROGRESS),
        Status.APPROVED: (Status.IN_PROGRESS, Status.APPROVED),
    },
    Intent.HOLD: {s: (Status.ON_HOLD,) for s in _WORKING},
    Intent.RELEASE: {Status.ON_HOLD: _WORKING},  # back to the status it had when it was put on hold
    # The guide lets upstream systems set any status it lists, from any status; the history records who did.
    Intent.SET_BY_UPSTREAM: {s: tuple(Status.values) for s in Status.values},
    Intent.NOTE: {s: (s,) for s in Status.values},
}

# The intents a person may pick in the deliverable page's status control. Everything else happens through the
# stage gates and review sessions, so nobody reaches APPROVED by picking it.
MANUAL_INTENTS = (Intent.HOLD, Intent.RELEASE)

INTENT_LABELS = {
    Intent.START_REVIEW: "Review started",
    Intent.PASS_FORMAL: "Formal review passed",
    Intent.REQUEST_CHANGES: "Changes requested",
    Intent.REJECT: "Rejected in review",
    Intent.COMPLETE: "Stage completed",
    Intent.APPROVE: "Stage approved",
    Intent.REOPEN: "Stage reopened",
    Intent.HOLD: "Put on hold",
    Intent.RELEASE: "Released from hold",
    Intent.SET_BY_UPSTREAM: "Set by upstream",
    Intent.NOTE: "Note",
}


def allowed(intent: Intent, status: str) -> bool:
    return status in TRANSITIONS[intent]


def refusal(intent: Intent, status: str) -> str:
    """The reason an intent is not allowed from a status, in the words a person reads."""
    label = Status(status).label.lower()
    if intent == Intent.HOLD and status == Status.ON_HOLD:
        return "the deliverable is already on hold"
    if intent == Intent.RELEASE:
        return "the deliverable is not on hold"
    if status == Status.ON_HOLD:
        return f"the deliverable is on hold: release it before it can be {INTENT_LABELS[intent].lower()}"
    return f"a deliverable that is {label} cannot be {INTENT_LABELS[intent].lower()}"


def intents_from(status: str, candidates: Iterable[Intent] = MANUAL_INTENTS) -> list[Intent]:
    return [intent for intent in candidates if allowed(intent, status)]


def follow_on_status(stages: list[Stage]) -> str:
    """The status the stages call for: APPROVED once every FORMAL stage is done (or, in a pipeline without one,
    every stage), IN_PROGRESS once any stage is done, NOT_STARTED before that."""
    formal = [s for s in stages if s.approval_type == ApprovalType.FORMAL]
    gated = formal or stages
    if gated and all(s.status == Stage.Status.DONE for s in gated):
        return Status.APPROVED
    if any(s.status == Stage.Status.DONE for s in stages):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def mermaid() -> str:
    """The table as a Mermaid state diagram (docs/ARCHITECTURE.md embeds it; a test keeps the two equal)."""
    edges: dict[tuple[str, str], list[str]] = {}
    for intent, row in TRANSITIONS.items():
        if intent in (Intent.SET_BY_UPSTREAM, Intent.NOTE):  # a note moves nothing
            continue
        for source, targets in row.items():
            for target in targets:
                edges.setdefault((source, target), []).append(intent.value)
    lines = ["stateDiagram-v2", f"    [*] --> {Status.NOT_STARTED}"]
    lines += [f"    {source} --> {target}: {', '.join(names)}" for (source, target), names in edges.items()]
    lines.append(f"    note right of {Status.ON_HOLD}: set_by_upstream (webhook, /api/v1) may set any status")
    return "\n".join(lines) + "\n"
