"""A CMP task and the deliverable it is: the brief an unlinked task becomes, the deliverable its promotion
creates, and the link a producer makes or removes by hand on the deliverable's page.

The task's UpstreamObject row (kind "task") is the link, locked (`object_lock`) by every write here and by every
event about the task, so an event and a promotion or a hand link apply one after the other.
"""

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from briefs.models import Brief
from briefs.services import brief_reject, brief_upsert
from deliverables.models import Deliverable
from deliverables.services import deliverable_note, deliverable_update, deliverable_upsert
from integrations.upstream.models import UpstreamObject
from integrations.upstream.services import mapped_user, note, object_lock, object_touch, set_assignee
from tracker.errors import ConflictError, NotFoundError
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user

from ..constants import BRIEF_SOURCE, PROVIDER, SYSTEM, TASK
from .assets import asset_fetches_release

logger = logging.getLogger(__name__)

MAX_TASK_ID_LENGTH = 200


def task_lock(*, organisation, task_id: str) -> UpstreamObject:
    return object_lock(organisation=organisation, provider=PROVIDER, kind=TASK, external_id=task_id)


def task_brief(task: UpstreamObject, *, first_event: str, payload: dict, **fields) -> Brief:
    """The inbox brief of a task nothing is linked to yet: created on its first event (external id `cmp:<task
    id>`, source `webhook:optimizely-cmp`), updated with `fields` (a due date) on later ones."""
    brief, _ = brief_upsert(
        organisation=task.organisation,
        external_id=f"cmp:{task.external_id}",
        create_only={
            "title": f"Optimizely CMP task {task.external_id}"[:255],
            "description": (
                f"Task `{task.external_id}` in Optimizely CMP sent its first event here ({first_event}) before any "
                "deliverable was linked to it.\n\n"
                "Promote this brief to create its project with one deliverable linked to the task, or link an "
                "existing deliverable to the task on that deliverable's page (this brief is then closed)."
            ),
            "source": BRIEF_SOURCE,
            "raw_payload": payload,
        },
        **fields,
    )
    if task.brief_id != brief.pk:
        object_touch(task, brief=brief)
    return brief


def _assignee(task: UpstreamObject):
    held = task.data.get("assignee") or {}
    values = [held.get("id") or "", held.get("name") or ""]
    return mapped_user(organisation=task.organisation, provider=PROVIDER, values=values) if any(values) else None


def task_link_promoted(event: str, payload: dict) -> None:
    """`brief.accepted` subscriber: a promoted CMP brief's project gets one deliverable, linked to the task.

    Idempotent: the event bus runs it once per event, and a task already linked (a redelivery, a hand link) is
    left as it is. The deliverable takes the brief's title and what the task's events said while it waited (its
    due date, its assignee when our user map knows them), and the task's waiting asset downloads start.
    """
    brief = Brief.objects.filter(pk=payload.get("briefId"), source=BRIEF_SOURCE).select_related("organisation").first()
    if brief is None or brief.converted_project_id is None:
        return  # not a CMP brief
    linked = UpstreamObject.objects.filter(provider=PROVIDER, kind=TASK, brief=brief).values_list("external_id")
    task_id = next((row[0] for row in linked), None)
    if task_id is None:
        return
    task = task_lock(organisation=brief.organisation, task_id=task_id)
    if task.deliverable_id is not None:
        return
    fields = {"due_date": task.data["due_date"]} if task.data.get("due_date") else {}
    assignee = _assignee(task)
    if assignee is not None:
        fields["assignee"] = assignee
    deliverable, _ = deliverable_upsert(
        project=brief.converted_project, name=brief.title[:500], source="webhook", system=SYSTEM, **fields
    )
    object_touch(task, deliverable=deliverable, project=brief.converted_project)
    deliverable_note(deliverable=deliverable, system=SYSTEM, note=f"Linked to CMP task {task_id} (brief promoted)")
    asset_fetches_release(task=task, deliverable=deliverable)
    logger.info("optimizely.task_linked", extra={"task_id": task_id, "deliverable_id": deliverable.pk, "via": "brief"})


def _task_of(deliverable: Deliverable) -> UpstreamObject | None:
    return UpstreamObject.objects.filter(provider=PROVIDER, kind=TASK, deliverable=deliverable).first()


@transaction.atomic
def task_link(*, deliverable: Deliverable, task_id: str, actor) -> UpstreamObject:
    """Link a deliverable to a CMP task by hand (needs DELIVERABLE_EDIT): the task's events reach it from now on,
    and its waiting asset downloads start. A task linked to another deliverable, or a deliverable already linked
    to another task, is refused; the same link again changes nothing. The task's pending inbox brief, if it has
    one, is rejected with a reason saying where the task went, so nobody promotes it into a second deliverable."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    organisation = organisation_for_user(actor)
    deliverable = Deliverable.objects.select_related("project").get(pk=deliverable.pk)
    if deliverable.project.organisation_id != organisation.pk:
        raise NotFoundError("deliverable not found")
    task_id = (task_id or "").strip()
    if not task_id:
        raise ConflictError("enter the CMP task id", {"field": "task_id"})
    if len(task_id) > MAX_TASK_ID_LENGTH or any(c.isspace() for c in task_id):
        raise ConflictError("a CMP task id is one word of at most 200 characters", {"field": "task_id"})
    current = _task_of(deliverable)
    if current is not None and current.external_id != task_id:
        raise ConflictError(
            f"this deliverable is already linked to CMP task {current.external_id}: unlink it first",
            {"field": "task_id"},
        )
    task = task_lock(organisation=organisation, task_id=task_id)
    if task.deliverable_id == deliverable.pk:
        return task
    if task.deliverable_id is not None:
        other = Deliverable.objects.select_related("project").get(pk=task.deliverable_id)
        raise ConflictError(
            f"CMP task {task_id} is already linked to {other.name} in {other.project.name}", {"field": "task_id"}
        )
    object_touch(task, deliverable=deliverable, project=deliverable.project)
    who = actor.get_full_name() or actor.username
    deliverable_note(deliverable=deliverable, system=SYSTEM, source="ui", note=f"Linked to CMP task {task_id} by {who}")
    if task.brief_id is not None and task.brief.status == Brief.Status.PENDING:
        brief_reject(brief=task.brief, actor=actor, reason=f"CMP task linked by hand to {deliverable.name}")
    asset_fetches_release(task=task, deliverable=deliverable)
    logger.info("optimizely.task_linked", extra={"task_id": task_id, "deliverable_id": deliverable.pk, "via": "hand"})
    return task


@transaction.atomic
def task_unlink(*, deliverable: Deliverable, actor) -> str | None:
    """Remove the deliverable's CMP task link (needs DELIVERABLE_EDIT). Returns the task id it had, or None.
    The task's later events then wait (or become a brief again if it never had one)."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    organisation = organisation_for_user(actor)
    deliverable = Deliverable.objects.select_related("project").get(pk=deliverable.pk)
    if deliverable.project.organisation_id != organisation.pk:
        raise NotFoundError("deliverable not found")
    current = _task_of(deliverable)
    if current is None:
        return None
    task = task_lock(organisation=organisation, task_id=current.external_id)
    object_touch(task, deliverable=None, project=None, data={"unlinked_at": timezone.now().isoformat()})
    who = actor.get_full_name() or actor.username
    deliverable_note(
        deliverable=deliverable, system=SYSTEM, source="ui", note=f"Unlinked from CMP task {task.external_id} by {who}"
    )
    return task.external_id


def task_apply_assignee(task: UpstreamObject, deliverable: Deliverable) -> str:
    """The task's latest assignee onto its deliverable, through the user map (by CMP user id, then name); no user
    matching: a note. Returns what happened."""
    held = task.data.get("assignee")
    if not held:
        set_assignee(deliverable, user=None, system=SYSTEM)
        return "unassigned"
    user = _assignee(task)
    if user is None:
        name = held.get("name") or held.get("id")
        note(deliverable, system=SYSTEM, text=f"Assigned to {name} in {SYSTEM}; no user here matches (map it in admin)")
        return "noted"
    if deliverable.assignee_id == user.pk:
        return "unchanged"
    set_assignee(deliverable, user=user, system=SYSTEM)
    return "assigned"


def task_apply_due_date(task: UpstreamObject, deliverable: Deliverable) -> str:
    """The task's latest due date onto its deliverable (system actor), with a note. Returns what happened."""
    raw = task.data.get("due_date")
    due = date.fromisoformat(raw) if raw else None
    if deliverable.due_date == due:
        return "unchanged"
    deliverable = deliverable_update(deliverable=deliverable, actor=None, due_date=due)
    text = f"Due date set to {due:%-d %b %Y} in {SYSTEM}" if due else f"Due date cleared in {SYSTEM}"
    deliverable_note(deliverable=deliverable, system=SYSTEM, note=text)
    return "updated"
