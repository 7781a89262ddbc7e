"""Writes for briefs: intake (create / upsert on externalId) and triage (promote, reject, reopen)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from projects.models import Project
from projects.services import project_create
from tracker.db import upsert
from tracker.errors import ConflictError
from tracker.events import emit
from tracker.models import Notification, Organisation, User
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import notification_create

from .models import Brief
from .selectors import brief_source_seen

BRIEF_FIELDS = (
    "title",
    "description",
    "requestor_name",
    "requestor_email",
    "priority",
    "requested_due_date",
    "client_team",
    "source",
    "raw_payload",
)


def _event_payload(brief: Brief) -> dict:
    return {
        "briefId": str(brief.pk),
        "organisationId": str(brief.organisation_id),  # so a subscriber need not read the brief to scope it
        "externalId": brief.external_id,
        "title": brief.title,
        "status": brief.status,
        "convertedProjectId": str(brief.converted_project_id) if brief.converted_project_id else None,
    }


def _only_known(fields: dict) -> dict:
    unknown = set(fields) - set(BRIEF_FIELDS)
    if unknown:
        raise TypeError(f"unknown brief fields: {sorted(unknown)}")
    return fields


@transaction.atomic(savepoint=False)
def brief_upsert(
    *, organisation: Organisation, external_id: str | None = None, create_only: dict | None = None, **fields
) -> tuple[Brief, bool]:
    """The one intake write for briefs (webhook, REST twin, and every later channel): create a brief, or update
    the one with the same `external_id` in the organisation. Returns `(brief, created)`.

    Without an external id every call creates a new brief. Only the fields passed are written on update, so an
    omitted optional field never overwrites a stored one; `create_only` (the channel's `source`, say) is written
    on create only. An update never changes a brief's triage status.

    Inside a caller's transaction it takes no savepoint of its own (two statements fewer on every webhook call):
    a failure here fails the caller's whole transaction, which every caller lets roll back.
    """
    _only_known(fields)
    create_fields = {**_only_known(dict(create_only or {})), **fields}
    if external_id is None:
        brief, created = Brief.objects.create(organisation=organisation, **create_fields), True
    else:
        brief, created = upsert(
            Brief,
            lookup={"organisation": organisation, "external_id": external_id},
            create_fields=create_fields,
            update_fields=fields,
        )
    if created or "source" in fields:
        brief_source_seen(organisation_id=organisation.pk, source=brief.source)
    emit("brief.received" if created else "brief.updated", _event_payload(brief))
    return brief, created


@transaction.atomic
def brief_create(*, organisation: Organisation, actor, **fields) -> Brief:
    """A brief typed in by a producer (work that arrived by phone or email): the intake write, `brief_upsert`,
    with the channel's source "ui" and no external id. Needs BRIEF_TRIAGE: whoever may triage briefs may add one."""
    require_permission(actor, Permission.BRIEF_TRIAGE)
    brief, _created = brief_upsert(organisation=organisation, create_only={"source": "ui"}, **fields)
    return brief


def _lock(brief: Brief) -> Brief:
    return Brief.objects.select_for_update().get(pk=brief.pk)


@transaction.atomic
def brief_promote(*, brief: Brief, actor, project_code: str | None = None, **project_fields) -> Project:
    """Turn a pending brief into a project and mark it ACCEPTED with `converted_project`.

    The brief row is locked first, so two producers promoting at once make exactly one project: the second
    gets a ConflictError naming the project the first one made. Needs BRIEF_TRIAGE (and PROJECT_CREATE, which
    `project_create` checks).
    """
    require_permission(actor, Permission.BRIEF_TRIAGE)
    brief = _lock(brief)
    if brief.status == Brief.Status.ACCEPTED:
        raise ConflictError(
            "this brief was already promoted to a project",
            {"projectId": str(brief.converted_project_id) if brief.converted_project_id else None},
        )
    if brief.status == Brief.Status.REJECTED:
        raise ConflictError("this brief was rejected: reopen it before promoting it")
    project_fields.setdefault("source", f"brief:{brief.pk}")
    # The producer who promotes the brief owns the project it becomes, and the brief's text comes with it.
    project_fields.setdefault("owner", actor)
    if not project_fields.get("description"):
        project_fields["description"] = brief.description
    project = project_create(organisation=brief.organisation, actor=actor, project_code=project_code, **project_fields)
    brief.status = Brief.Status.ACCEPTED
    brief.converted_project = project
    brief.decided_by = actor
    brief.decided_at = timezone.now()
    brief.rejection_reason = ""
    brief.save(
        update_fields=["status", "converted_project", "decided_by", "decided_at", "rejection_reason", "updated_at"]
    )
    emit("brief.accepted", _event_payload(brief))
    return project


@transaction.atomic
def brief_reject(*, brief: Brief, actor, reason: str) -> Brief:
    """Mark a pending brief REJECTED with the reason. Needs BRIEF_TRIAGE."""
    require_permission(actor, Permission.BRIEF_TRIAGE)
    brief = _lock(brief)
    if brief.status != Brief.Status.PENDING:
        raise ConflictError(f"only a pending brief can be rejected (this one is {brief.get_status_display().lower()})")
    if not reason.strip():
        raise ConflictError("give a reason for rejecting the brief", {"field": "reason"})
    brief.status = Brief.Status.REJECTED
    brief.rejection_reason = reason.strip()
    brief.decided_by = actor
    brief.decided_at = timezone.now()
    brief.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    emit("brief.rejected", _event_payload(brief))
    return brief


@transaction.atomic
def brief_reopen(*, brief: Brief, actor) -> Brief:
    """Put a rejected brief back in the pending inbox. An accepted brief stays accepted: its project exists.
    Needs BRIEF_TRIAGE."""
    require_permission(actor, Permission.BRIEF_TRIAGE)
    brief = _lock(brief)
    if brief.status != Brief.Status.REJECTED:
        raise ConflictError("only a rejected brief can be reopened")
    brief.status = Brief.Status.PENDING
    brief.decided_by = actor
    brief.decided_at = timezone.now()
    brief.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    emit("brief.reopened", _event_payload(brief))
    return brief


@transaction.atomic
def brief_assign(*, brief: Brief, actor, assignee: User | None) -> Brief:
    """Give a brief to a producer to look after (None: to nobody). Needs BRIEF_TRIAGE; the assignee must be an
    active person of the brief's organisation who may triage, and is told unless they assigned it themselves."""
    require_permission(actor, Permission.BRIEF_TRIAGE)
    brief = Brief.objects.select_for_update().get(pk=brief.pk)
    if assignee is not None:
        allowed = assignee.is_active and assignee.organisation_id == brief.organisation_id
        if not allowed or not has_permission(assignee, Permission.BRIEF_TRIAGE):
            raise ConflictError(f"{assignee} cannot be given briefs", {"field": "assignee"})
    if brief.assignee_id == (assignee.pk if assignee else None):
        return brief
    brief.assignee = assignee
    brief.save(update_fields=["assignee", "updated_at"])
    if assignee is not None and (actor is None or assignee.pk != actor.pk):
        by = f" by {actor}" if actor is not None else ""
        notification_create(
            recipient=assignee,
            kind=Notification.Kind.ASSIGNED,
            title=f"Brief assigned to you: {brief.title}"[:255],
            body=f"Assigned to you{by} to triage.",
            url=reverse("briefs:detail", args=[brief.pk]),
        )
    return brief
