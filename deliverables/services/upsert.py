"""Writes for deliverables' own fields: the intake upsert with its stage scaffolding, create and edit.

A status that arrives with an intake call goes through the state machine (`intents`): set by upstream for a
system, or held / released for a person.
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from projects.models import PipelineStageTemplate, Project
from projects.selectors import pipeline_template_default
from tracker.db import upsert
from tracker.errors import ConflictError
from tracker.events import emit
from tracker.permissions import Permission, require_permission

from ..models import Deliverable, Stage, Transition
from .common import event_payload, notify_new_assignee
from .intents import deliverable_set_by_upstream, deliverable_set_status_by_person

DELIVERABLE_FIELDS = ("priority", "due_date", "notes", "cmf_sku", "asset_count", "assignee", "custom_fields")
SLUG_MAX = 100
# Picking the next free slug can lose to concurrent creates of names that slugify alike ("Slug Clash",
# "slug clash!"); after this many lost races a random suffix is used, which no concurrent create can share.
FREE_SLUG_TRIES = 3
RANDOM_SLUG_TRIES = 8


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
            requires_different_approver=template.requires_different_approver,
            status=Stage.Status.ACTIVE if index == 0 else Stage.Status.PENDING,
            started_at=now if index == 0 else None,
        )
        for index, template in enumerate(_stage_templates(deliverable.project))
    ]
    Stage.objects.bulk_create(stages)
    if stages:
        deliverable.current_stage = Stage.objects.get(deliverable=deliverable, order=0)
        deliverable.save(update_fields=["current_stage"])


def _slug_base(name: str) -> str:
    return slugify(name)[:SLUG_MAX] or "deliverable"


def _free_slug(project: Project, name: str) -> str:
    base = _slug_base(name)
    taken = set(Deliverable.objects.filter(project=project, slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _slug_candidates(project: Project, name: str):
    for _ in range(FREE_SLUG_TRIES):
        yield _free_slug(project, name)
    for _ in range(RANDOM_SLUG_TRIES):
        yield f"{_slug_base(name)[: SLUG_MAX - 9]}-{secrets.token_hex(4)}"


def _only_known(fields: dict) -> dict:
    unknown = set(fields) - set(DELIVERABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown deliverable fields: {sorted(unknown)}")
    return fields


def _upsert_row(project: Project, name: str, fields: dict) -> tuple[Deliverable, bool]:
    """Insert or update by (project, name). A slug lost to a concurrent create is picked again, never an error."""
    candidates = _slug_candidates(project, name)
    for slug in candidates:
        try:
            with transaction.atomic():
                return upsert(
                    Deliverable,
                    lookup={"project": project, "name": name},
                    create_fields={"slug": slug, **fields},
                    update_fields=fields,
                )
        except IntegrityError:
            continue  # the slug went to another deliverable between the pick and the insert
    raise ConflictError("could not find a free slug for this deliverable; try again")


@transaction.atomic
def deliverable_upsert(
    *,
    project: Project,
    name: str,
    status: str | None = None,
    actor=None,
    source: str = Transition.Source.API,
    system: str = "",
    **fields,
) -> tuple[Deliverable, bool]:
    """The one intake write for deliverables (webhook, REST twin, /api/v1, adapters): create or update the
    deliverable keyed by `(project, name)`. Returns `(deliverable, created)`.

    On first insert its stages are copied from the project's pipeline template (or the default one). Only the
    fields passed are written on update. A `status` from an upstream system (`actor` None, named by `system`) is
    set by upstream and recorded with its `source`; from a person it may only hold or release.
    """
    _only_known(fields)
    previous_assignee_id = None
    if fields.get("assignee") is not None:
        previous_assignee_id = (
            Deliverable.objects.filter(project=project, name=name).values_list("assignee_id", flat=True).first()
        )
    deliverable, created = _upsert_row(project, name, fields)
    if "assignee" in fields:
        notify_new_assignee(deliverable, previous_assignee_id=previous_assignee_id, actor=actor)
    if created:
        _scaffold_stages(deliverable)
        emit("deliverable.created", event_payload(deliverable))
    elif fields:
        emit("deliverable.updated", event_payload(deliverable))
    if status is not None:
        if actor is None:
            deliverable = deliverable_set_by_upstream(
                deliverable=deliverable, status=status, source=source, system=system
            )
        else:
            deliverable = deliverable_set_status_by_person(
                deliverable=deliverable, status=status, actor=actor, source=source
            )
    return deliverable, created


@transaction.atomic
def deliverable_create(*, project: Project, name: str, actor, **fields) -> Deliverable:
    """Create a deliverable (needs DELIVERABLE_CREATE); a name already used in the project raises ConflictError."""
    require_permission(actor, Permission.DELIVERABLE_CREATE)
    if Deliverable.objects.filter(project=project, name=name).exists():
        raise ConflictError("a deliverable with this name already exists in the project", {"field": "name"})
    deliverable, created = deliverable_upsert(
        project=project, name=name, actor=actor, source=Transition.Source.UI, **fields
    )
    if not created:  # lost a race to a concurrent create of the same name
        raise ConflictError("a deliverable with this name already exists in the project", {"field": "name"})
    return deliverable


@transaction.atomic
def deliverable_update(*, deliverable: Deliverable, actor, **fields) -> Deliverable:
    """Write the fields passed (needs DELIVERABLE_EDIT). Status and stages change only through the intents."""
    require_permission(actor, Permission.DELIVERABLE_EDIT)
    _only_known(fields)
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    previous_assignee_id = deliverable.assignee_id
    changed = [name for name, value in fields.items() if getattr(deliverable, name) != value]
    for name in changed:
        setattr(deliverable, name, fields[name])
    if changed:
        deliverable.save(update_fields=[*changed, "updated_at"])
        emit("deliverable.updated", event_payload(deliverable))
        notify_new_assignee(deliverable, previous_assignee_id=previous_assignee_id, actor=actor)
    return deliverable
