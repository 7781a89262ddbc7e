"""Creative Force events -> projects, deliverables, stage progress and history, through the upstream services.

One delivery is handled in one transaction (the receiver opens it). Its PayloadId is claimed first, so a
redelivery changes nothing. Each CF object (job, product, task) is an UpstreamObject, locked while its event is
applied; an event older than the last one applied to that object is stale and changes nothing. Locks are taken
in one order, task -> product -> job, so two deliveries never wait on each other in a circle.

A product or task that arrives before its job creates what it needs from what it carries (the job's project
from JobId, JobCode and ClientName; the product's deliverable from ProductCode) and links it, without recording
an event time on the job or product: their own events, when they come, are all newer and fill in the rest.
"""

from dataclasses import dataclass

from deliverables.models import Deliverable, Transition
from deliverables.services import deliverable_release_by_upstream, deliverable_upsert
from integrations.upstream import services as upstream
from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject
from integrations.upstream.receiver import Status
from projects.models import Project
from projects.services import project_intake, project_update
from tracker.models import Organisation

from . import defaults
from .keys import Kind
from .payload import CfEvent, day, fold

PROVIDER = Provider.CREATIVE_FORCE
SYSTEM = upstream.system_name(PROVIDER)


@dataclass
class Result:
    """What a handler did, for the answer and the receipt."""

    status: str = Status.APPLIED
    action: str = ""
    object_id: str = ""
    detail: str = ""


def lock(organisation: Organisation, kind: str, external_id: str) -> UpstreamObject:
    return upstream.object_lock(organisation=organisation, provider=PROVIDER, kind=kind, external_id=external_id)


def mapped(organisation: Organisation, kind: str, value: str, default: str | None = None) -> str | None:
    return upstream.mapped(organisation=organisation, provider=PROVIDER, kind=kind, value=value, default=default)


def note(deliverable: Deliverable, text: str) -> None:
    upstream.note(deliverable, system=SYSTEM, text=text)


def release(deliverable: Deliverable, text: str) -> None:
    """Back to the status it had before it was held; not on hold: the note alone."""
    deliverable_release_by_upstream(deliverable=deliverable, system=SYSTEM, note=text)


# --- Jobs -> projects ------------------------------------------------------------------------------------------


def _team(organisation: Organisation, event: CfEvent):
    """The client team the BRAND map gives for the job's client (by name, else by ClientId); None when unmapped."""
    for value in (event.get("ClientName"), event.get("ClientId")):
        if value:
            team = upstream.mapped_team(organisation=organisation, provider=PROVIDER, value=value)
            if team is not None:
                return team
    return None


def _project_status(organisation: Organisation, status_name: str) -> str | None:
    status = mapped(
        organisation, UpstreamMapping.Kind.PROJECT_STATUS, status_name, defaults.PROJECT_STATUS.get(fold(status_name))
    )
    return status if status in Project.Status.values else None


def _job_fields(organisation: Organisation, event: CfEvent, custom_fields: dict) -> dict:
    """The project fields a Job event carries; a field the event omits is left out, so it is never cleared."""
    fields = {}
    if event.get("JobName"):
        fields["name"] = event.get("JobName")[:500]
    if event.get("ClientName"):
        fields["client"] = event.get("ClientName")[:200]
    team = _team(organisation, event)
    if team is not None:
        fields["client_team"] = team
    if day(event.body.get("JobDeadlineUtc")):
        fields["due_date"] = day(event.body.get("JobDeadlineUtc"))
    status_name = event.get("JobStatusName")
    if status_name and _project_status(organisation, status_name):
        fields["status"] = _project_status(organisation, status_name)
    extra = {defaults.JOB_CODE_FIELD: event.get("JobCode"), defaults.JOB_STATUS_FIELD: status_name}
    extra = {key: value for key, value in extra.items() if value}
    if any(custom_fields.get(key) != value for key, value in extra.items()):
        fields["custom_fields"] = {**custom_fields, **extra}
    return fields


def _create_project(organisation: Organisation, event: CfEvent, fields: dict) -> Project:
    """A project for a CF job. It has no OMG job number: that is the Upstream Integration Guide's key, owned by
    OMG, and a CF job is not an OMG job; the UpstreamObject is the link, the job code a custom field."""
    name = fields.pop("name", None) or event.get("JobCode") or f"Creative Force job {event.get('JobId')}"
    project, _created = project_intake(
        organisation=organisation, create_only={"source": defaults.SOURCE}, name=name[:500], **fields
    )
    return project


def job_project(organisation: Organisation, event: CfEvent) -> Project:
    """The project of the job a product or task event names, created from what the event carries if the job has
    not arrived yet (never lost: the Job event fills in the rest). Locks the job's UpstreamObject."""
    job = lock(organisation, Kind.JOB, event.get("JobId"))
    if job.project_id:
        return job.project
    fields = _job_fields(organisation, event, {})
    fields.pop("status", None)  # a product's event says nothing about the job's status
    project = _create_project(organisation, event, fields)
    upstream.object_touch(job, event_at=None, project=project)
    return project


def on_job(organisation: Organisation, event: CfEvent) -> Result:
    job = lock(organisation, Kind.JOB, event.get("JobId"))
    if upstream.object_is_stale(job, event.event_at):
        return Result(Status.STALE, object_id=str(job.project_id or ""))
    project = job.project
    if event.action == "deleted":
        upstream.object_touch(job, event_at=event.event_at)
        if project is None:
            return Result(Status.IGNORED, detail="job not known here")
        code = event.get("JobCode") or project.name
        upstream.archive(project, system=SYSTEM, text=f"Job {code} was deleted in Creative Force.")
        return Result(action="archived", object_id=str(project.pk))
    if project is None:
        project = _create_project(organisation, event, _job_fields(organisation, event, {}))
        action = "created"
    else:
        project = Project.objects.select_for_update().get(pk=project.pk)  # custom fields merge on fresh values
        project = project_update(project=project, **_job_fields(organisation, event, project.custom_fields))
        action = "updated"
    upstream.object_touch(job, event_at=event.event_at, project=project)
    return Result(action=action, object_id=str(project.pk))


# --- Products -> deliverables ----------------------------------------------------------------------------------


def product_deliverable(
    organisation: Organisation, event: CfEvent, product: UpstreamObject
) -> tuple[Deliverable, bool]:
    """The deliverable of the product (locked `product`), created in the job's project, named by ProductCode,
    when it is not linked yet. Returns `(deliverable, created)`."""
    if product.deliverable_id:
        return product.deliverable, False
    project = job_project(organisation, event)
    deliverable, created = deliverable_upsert(
        project=project, name=event.get("ProductCode")[:200], source=Transition.Source.WEBHOOK, system=SYSTEM
    )
    upstream.object_touch(product, event_at=None, deliverable=deliverable, project=project)
    return deliverable, created
