"""CMP events → the tracker, through the upstream services and the domain's own (never around them).

Task events (`/api/webhooks/optimizely/task-events`) are about one task. A task linked to a deliverable moves it:
steps through the STEP map and the state machine, the assignee through the USER map, the due date, asset files
as revisions and articles as notes. A task not linked yet becomes (or updates) a brief in the inbox and keeps
what its events said (due date, assignee, asset downloads) until it is linked.

Content events (`/api/webhooks/optimizely/content-events`) name only an asset or a content item: the one a task
added before leads to its deliverable, which gets a "published" note; anything else is recorded and ignored.

CMP sends no delivery id: a redelivery is byte-identical, so the body's SHA-256 is the payload id. Order is per
task and per thing an event sets (its assignee, its due date, each step): an event older than the last applied
one about the same thing is stale. Different things do not hold each other back, so a step's completion that
arrives after a later assignee change is still applied. Assets are never stale: each is a new file, deduplicated
by its id.
"""

from datetime import datetime, time

from django.utils import timezone

from briefs.models import Brief
from integrations.upstream.models import UpstreamMapping, UpstreamObject
from integrations.upstream.receiver import Outcome, Status
from integrations.upstream.services import mapped, note, object_lock, object_touch, payload_claim, report_step
from tracker.models import Organisation

from . import payloads
from .constants import ASSET, PROVIDER, SYSTEM
from .services import task_apply_assignee, task_apply_due_date, task_brief, task_lock
from .services.assets import asset_link, asset_record

# CMP workflow step (lower case) → our pipeline stage, for studios that have not mapped their own (Django admin,
# "CMP mappings", kind "Step → stage name"). A step not listed maps to the stage of the same name.
STEP_DEFAULTS = {
    "brief": "Briefing",
    "briefing": "Briefing",
    "ideation": "Concept",
    "concept": "Concept",
    "create content": "Design",
    "create": "Design",
    "draft": "Design",
    "copywriting": "Design",
    "design": "Design",
    "review": "Internal Review",
    "internal review": "Internal Review",
    "client review": "Client Review",
    "revisions": "Amends",
    "amends": "Amends",
    "approve": "Final Approval",
    "approval": "Final Approval",
    "final approval": "Final Approval",
    "publish": "Delivery",
    "distribute": "Delivery",
    "delivery": "Delivery",
}


def stage_for_step(*, organisation: Organisation, step_name: str) -> str | None:
    default = STEP_DEFAULTS.get(step_name.strip().lower(), step_name.strip())
    return mapped(
        organisation=organisation, provider=PROVIDER, kind=UpstreamMapping.Kind.STEP, value=step_name, default=default
    )


def _ignored(outcome: Outcome, detail: str) -> Outcome:
    outcome.status, outcome.detail = Status.IGNORED, detail
    return outcome


def _first(payload: dict, outcome: Outcome, body_sha256: str, routes: tuple[str, ...]) -> payloads.Event | None:
    """The checks every event passes: a name we act on on this route, a valid body, not seen before."""
    outcome.event = payloads.event_name(payload)
    outcome.payload_id = body_sha256
    if outcome.event not in routes:
        _ignored(outcome, f"event {outcome.event or '(none)'!r} is not acted on here")
        return None
    event = payloads.read_event(payload)
    if not payload_claim(provider=PROVIDER, payload_id=body_sha256):
        outcome.status, outcome.detail = Status.DUPLICATE, "the same body was already applied"
        return None
    return event


# --- Task events ------------------------------------------------------------------------------------------------


def _aspect(event: payloads.Event) -> str | None:
    if event.name in payloads.TASK_STEP_EVENTS:
        step = event.data["step"]
        return f"step:{step.get('id') or step['name'].lower()}"
    return {payloads.TASK_ASSIGNEE_CHANGED: "assignee", payloads.TASK_DUE_DATE_CHANGED: "due_date"}.get(event.name)


def _stale(task: UpstreamObject, aspect: str | None, at: datetime | None) -> bool:
    last = (task.data.get("at") or {}).get(aspect) if aspect else None
    return at is not None and last is not None and at < datetime.fromisoformat(last)


def _hold(task: UpstreamObject, event: payloads.Event, aspect: str | None) -> None:
    """Keep what the event says on the task row (and the time per aspect), linked or not."""
    data = {}
    if aspect and event.at is not None:
        data["at"] = {**(task.data.get("at") or {}), aspect: event.at.isoformat()}
    if event.name == payloads.TASK_ASSIGNEE_CHANGED:
        assignee = event.data.get("assignee") or {}
        data["assignee"] = {"id": assignee.get("id", ""), "name": assignee.get("name", "")} if assignee else None
    elif event.name == payloads.TASK_DUE_DATE_CHANGED:
        data["due_date"] = event.due_date.isoformat() if event.due_date else None
    object_touch(task, event_at=event.at, data=data)


def _describe(event: payloads.Event) -> str:
    if event.name in payloads.TASK_STEP_EVENTS:
        return f"step {event.data['step']['name']!r} {payloads.TASK_STEP_EVENTS[event.name]}"
    if event.name == payloads.TASK_ASSET_ADDED:
        return f"{event.data['asset']['type']} asset {event.data['asset']['id']} added"
    if event.name == payloads.TASK_DUE_DATE_CHANGED:
        return f"due date {event.due_date.isoformat() if event.due_date else 'cleared'}"
    assignee = event.data.get("assignee") or {}
    return f"assigned to {assignee.get('name') or assignee.get('id') or 'nobody'}"


def handle_task_event(payload: dict, organisation: Organisation, *, body_sha256: str, outcome: Outcome) -> Outcome:
    event = _first(payload, outcome, body_sha256, payloads.TASK_EVENTS)
    if event is None:
        return outcome
    outcome.object_keys = f"task:{event.task_id}"
    task = task_lock(organisation=organisation, task_id=event.task_id)
    aspect = _aspect(event)
    if _stale(task, aspect, event.at):
        outcome.status, outcome.detail = Status.STALE, f"older than the last {aspect.split(':')[0]} event applied"
        return outcome
    _hold(task, event, aspect)
    if event.name == payloads.TASK_ASSET_ADDED:
        asset = event.data["asset"]
        outcome.object_keys += f"/asset:{asset['id']}"
        # An article needs no download: its row only remembers the task, for the content events.
        record = asset_link if asset["type"] == "article" else asset_record
        _, created = record(task=task, asset_id=asset["id"], asset_type=asset["type"], url=asset["links"]["self"])
        if not created:
            return _ignored(outcome, f"asset {asset['id']} of this task was already recorded")
    if task.deliverable is None:
        return _unlinked(task, event, payload, outcome)
    outcome.object_id = str(task.deliverable_id)
    return _linked(task, event, outcome)


def _unlinked(task: UpstreamObject, event: payloads.Event, payload: dict, outcome: Outcome) -> Outcome:
    if task.brief is not None and task.brief.status == Brief.Status.REJECTED:
        return _ignored(outcome, f"no deliverable is linked and the task's brief #{task.brief_id} was rejected")
    fields = {}
    if event.name == payloads.TASK_DUE_DATE_CHANGED:
        due = event.due_date
        fields["requested_due_date"] = timezone.make_aware(datetime.combine(due, time.min)) if due else None
    brief = task_brief(task, first_event=_describe(event), payload=payload, **fields)
    outcome.action, outcome.object_id = "brief", str(brief.pk)
    waiting = "waiting for the deliverable" if brief.status == Brief.Status.ACCEPTED else "applied when linked"
    outcome.detail = f"no deliverable linked to the task yet: brief #{brief.pk}; {_describe(event)} kept, {waiting}"
    return outcome


def _linked(task: UpstreamObject, event: payloads.Event, outcome: Outcome) -> Outcome:
    deliverable = task.deliverable
    if event.name in payloads.TASK_STEP_EVENTS:
        step = event.data["step"]
        stage_name = stage_for_step(organisation=task.organisation, step_name=step["name"])
        if stage_name is None:
            return _ignored(outcome, f"step {step['name']!r} is mapped to no stage")
        done = event.name == "task_step_completed"
        verb = payloads.TASK_STEP_EVENTS[event.name]
        outcome.action = report_step(
            deliverable, stage_name=stage_name, system=SYSTEM, done=done,
            detail=f"CMP step {step['name']!r}" if done else f"{SYSTEM}: step {step['name']!r} {verb}",
        )  # fmt: skip
    elif event.name == payloads.TASK_ASSIGNEE_CHANGED:
        outcome.action = task_apply_assignee(task, deliverable)
    elif event.name == payloads.TASK_DUE_DATE_CHANGED:
        outcome.action = task_apply_due_date(task, deliverable)
    elif event.data["asset"]["type"] == "article":
        asset = event.data["asset"]
        note(deliverable, system=SYSTEM, text=f"Article {asset['id']} added in {SYSTEM}: {asset['links']['self']}")
        outcome.action = "noted"
    else:
        outcome.action = "queued"
        outcome.detail = f"the file is fetched in the background and becomes the next revision of {deliverable.name}"
    outcome.detail = outcome.detail or f"{_describe(event)}: {outcome.action}"
    return outcome


# --- Content events ---------------------------------------------------------------------------------------------


def handle_content_event(payload: dict, organisation: Organisation, *, body_sha256: str, outcome: Outcome) -> Outcome:
    event = _first(payload, outcome, body_sha256, payloads.CONTENT_EVENTS)
    if event is None:
        return outcome
    item = event.data["asset"] if event.name == payloads.ASSET_ADDED else event.data["content"]
    kind = "asset" if event.name == payloads.ASSET_ADDED else "content"
    outcome.object_keys = f"{kind}:{item['id']}"
    asset = UpstreamObject.objects.filter(
        organisation=organisation, provider=PROVIDER, kind=ASSET, external_id=item["id"]
    ).first()
    deliverable = _deliverable_of(asset)
    if deliverable is None:
        return _ignored(outcome, f"no deliverable is linked to CMP {kind} {item['id']}")
    asset = object_lock(organisation=organisation, provider=PROVIDER, kind=ASSET, external_id=item["id"])
    object_touch(asset, event_at=event.at)
    title = item.get("title") or item["id"]
    if event.name == payloads.ASSET_ADDED:
        where = f": {item['url']}" if item.get("url") else ""
        text = f"Published to the {SYSTEM} library: {title}{where}"
    else:
        text = f"Published from {SYSTEM}: {title}" + (f" ({item['content_type']})" if item.get("content_type") else "")
    note(deliverable, system=SYSTEM, text=text)
    outcome.action, outcome.object_id, outcome.detail = "noted", str(deliverable.pk), text
    return outcome


def _deliverable_of(asset: UpstreamObject | None):
    """The asset's deliverable, or its task's (linked after the asset arrived)."""
    if asset is None:
        return None
    if asset.deliverable is not None:
        return asset.deliverable
    task_id = asset.data.get("task_id")
    task = UpstreamObject.objects.filter(
        organisation=asset.organisation, provider=PROVIDER, kind="task", external_id=task_id or ""
    ).first()
    return task.deliverable if task is not None else None
