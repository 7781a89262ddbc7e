"""Writes shared by the upstream adapters: dedupe, per-object ordering, the studio's mappings, and the few
domain moves every adapter makes (a note, a step reported done, a hold, an archive), each through the domain's own
services and intents.

Everything here runs inside the adapter's one transaction (`receiver.AdapterReceiverApi`), so a call either
applies whole, claim and ordering state included, or leaves nothing behind.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from deliverables.models import Deliverable
from deliverables.services import (
    deliverable_hold_by_upstream,
    deliverable_note,
    deliverable_report_step,
    deliverable_update,
)
from integrations.inbound.selectors import client_team_by_slug_or_name
from projects.models import Project
from projects.services import project_update
from tracker.models import ClientTeam, Organisation, User

from .models import ProcessedPayload, Provider, UpstreamMapping, UpstreamObject

# How each system is named in a deliverable's history.
SYSTEM_NAMES = {provider.value: provider.label for provider in Provider}


def system_name(provider: str) -> str:
    return SYSTEM_NAMES.get(provider, provider)


# --- Dedupe and ordering ----------------------------------------------------------------------------------------


def payload_claim(*, provider: str, payload_id: str) -> bool:
    """Record that this delivery is being applied. False when it was already: a redelivery changes nothing.

    A concurrent delivery of the same payload waits on the unique index until the first commits, then finds it.
    """
    try:
        with transaction.atomic():
            ProcessedPayload.objects.create(provider=provider, payload_id=payload_id[:200])
    except IntegrityError:
        return False
    return True


def processed_payloads_old(now):
    """Retention (tracker/retention.py): applied payloads older than UPSTREAM_PAYLOAD_RETENTION_DAYS."""
    return ProcessedPayload.objects.filter(
        created_at__lt=now - timedelta(days=settings.UPSTREAM_PAYLOAD_RETENTION_DAYS)
    )


def object_lock(*, organisation: Organisation, provider: str, kind: str, external_id: str) -> UpstreamObject:
    """The upstream object's row, created on first sight and locked for the rest of the transaction, so two events
    about one object apply one after the other."""
    key = {"organisation": organisation, "provider": provider, "kind": kind, "external_id": external_id[:200]}
    try:
        with transaction.atomic():
            UpstreamObject.objects.get_or_create(**key)
    except IntegrityError:
        pass  # created concurrently: it is there now
    return UpstreamObject.objects.select_for_update().get(**key)


def object_is_stale(obj: UpstreamObject, event_at: datetime | None) -> bool:
    """An event older than the last one applied to the object (events without a time are never stale)."""
    return event_at is not None and obj.last_event_at is not None and event_at < obj.last_event_at


def object_touch(obj: UpstreamObject, *, event_at: datetime | None = None, data: dict | None = None, **links):
    """Record the event's time (never moving backwards) and the tracker rows the object is linked to."""
    fields = ["updated_at"]
    if event_at is not None and (obj.last_event_at is None or event_at > obj.last_event_at):
        obj.last_event_at = event_at
        fields.append("last_event_at")
    if data:
        obj.data = {**obj.data, **data}
        fields.append("data")
    for name, value in links.items():
        setattr(obj, name, value)
        fields.append(name)
    obj.save(update_fields=fields)
    return obj


def linked_object(*, organisation: Organisation, provider: str, kind: str, external_id: str) -> UpstreamObject | None:
    return UpstreamObject.objects.filter(
        organisation=organisation, provider=provider, kind=kind, external_id=external_id
    ).first()


# --- Mappings ---------------------------------------------------------------------------------------------------


def mapped(*, organisation: Organisation, provider: str, kind: str, value: str, default=None) -> str | None:
    """The studio's translation of an upstream value: its admin row when there is one, else `default`.
    A row with an empty target means "ignore" and gives None."""
    value = (value or "").strip()
    if not value:
        return default
    row = UpstreamMapping.objects.filter(
        organisation=organisation, provider=provider, kind=kind, upstream_value__iexact=value
    ).first()
    if row is None:
        return default
    return row.target or None


def mapped_team(*, organisation: Organisation, provider: str, value: str) -> ClientTeam | None:
    """The client team a brand or client name maps to; by default the team of that name or slug."""
    target = mapped(organisation=organisation, provider=provider, kind=UpstreamMapping.Kind.BRAND, value=value,
                    default=value)  # fmt: skip
    return client_team_by_slug_or_name(organisation=organisation, value=target) if target else None


def mapped_user(*, organisation: Organisation, provider: str, values: list[str]) -> User | None:
    """The active user of this organisation an upstream user (its id, then its name) maps to. Without a mapping
    row, an upstream value that is one of our usernames or e-mail addresses is that user."""
    for value in (v for v in values if v):
        target = mapped(organisation=organisation, provider=provider, kind=UpstreamMapping.Kind.USER, value=value,
                        default=value)  # fmt: skip
        if not target:
            continue
        user = (
            User.objects.filter(is_active=True)
            .filter(Q(organisation=organisation) | Q(organisation__isnull=True))
            .filter(Q(username__iexact=target) | Q(email__iexact=target))
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return None


# --- Domain moves -----------------------------------------------------------------------------------------------


def note(deliverable: Deliverable, *, system: str, text: str) -> None:
    deliverable_note(deliverable=deliverable, system=system, note=text)


def report_step(deliverable: Deliverable, *, stage_name: str, system: str, done: bool = True, detail: str = "") -> str:
    """A step of the upstream workflow moved. Done: through the state machine (see `deliverable_report_step`);
    started, skipped and the like: a note."""
    if done:
        return deliverable_report_step(deliverable=deliverable, stage_name=stage_name, system=system, detail=detail)
    deliverable_note(deliverable=deliverable, system=system, note=detail or f"{system}: step {stage_name!r}")
    return "noted"


def hold(deliverable: Deliverable, *, system: str, text: str) -> None:
    deliverable_hold_by_upstream(deliverable=deliverable, system=system, note=text)


def archive(project: Project, *, system: str, text: str) -> Project:
    """Nothing upstream deletes anything here: the project is archived and each deliverable's history says why."""
    project = project_update(project=project, actor=None, status=Project.Status.ARCHIVED)
    for deliverable in Deliverable.objects.filter(project=project).order_by("pk"):
        deliverable_note(deliverable=deliverable, system=system, note=text)
    return project


def set_assignee(deliverable: Deliverable, *, user: User | None, system: str) -> Deliverable:
    deliverable = deliverable_update(deliverable=deliverable, actor=None, assignee=user)
    who = (user.get_full_name() or user.username) if user else "nobody"
    deliverable_note(deliverable=deliverable, system=system, note=f"Assigned to {who} in {system}")
    return deliverable
