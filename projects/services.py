"""Writes for projects: create, upsert on the OMG job number, update.

Every function is transactional and safe to call concurrently with itself.
"""

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.db import upsert
from tracker.errors import ConflictError
from tracker.events import emit
from tracker.models import Organisation

from .models import Project

# Fields a caller may set on a project (the model's names).
PROJECT_FIELDS = (
    "name",
    "status",
    "priority",
    "client_team",
    "business_unit",
    "client",
    "description",
    "notes",
    "outputs",
    "start_date",
    "due_date",
    "requestor",
    "owner",
    "custom_fields",
    "pipeline_template",
    "source",
)


def _project_code_candidate(today: date) -> str:
    return f"PRJ-{today:%Y}-{secrets.token_hex(3).upper()}"


def _event_payload(project: Project) -> dict:
    return {
        "projectId": str(project.pk),
        "projectCode": project.project_code,
        "omgJobNumber": project.omg_job_number,
        "name": project.name,
        "status": project.status,
    }


def _only_known(fields: dict) -> dict:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    return fields


@transaction.atomic
def project_create(
    *, organisation: Organisation, project_code: str | None = None, omg_job_number: str | None = None, **fields
) -> Project:
    """Create a project. Without a `project_code`, a unique one is generated (PRJ-<year>-<hex>).

    A duplicate `project_code` or OMG job number raises ConflictError.
    """
    _only_known(fields)
    for _attempt in range(5):
        code = project_code or _project_code_candidate(timezone.localdate())
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    organisation=organisation, project_code=code, omg_job_number=omg_job_number, **fields
                )
        except IntegrityError as error:
            if project_code is None and Project.objects.filter(project_code=code).exists():
                continue  # the generated code collided: try another one
            raise ConflictError(_conflict_message(code, omg_job_number)) from error
        emit("project.created", _event_payload(project))
        return project
    raise ConflictError("could not generate a unique project code")


def _conflict_message(code: str, omg_job_number: str | None) -> str:
    if Project.objects.filter(project_code=code).exists():
        return f"project code {code!r} already exists"
    if omg_job_number and Project.objects.filter(omg_job_number=omg_job_number).exists():
        return f"OMG job number {omg_job_number!r} already exists"
    return "project conflicts with an existing one"


@transaction.atomic
def project_upsert_by_omg(
    *, organisation: Organisation, omg_job_number: str, project_code: str | None = None, **fields
) -> tuple[Project, bool]:
    """Create or update the project keyed by its OMG job number. Returns `(project, created)`.

    Only the fields passed are written on update, so an upstream update that omits a field keeps the
    stored value. A generated project code is only used on create.
    """
    _only_known(fields)
    for _attempt in range(5):
        code = project_code or _project_code_candidate(timezone.localdate())
        try:
            project, created = upsert(
                Project,
                lookup={"omg_job_number": omg_job_number},
                create_fields={"organisation": organisation, "project_code": code, **fields},
                update_fields=fields,
            )
        except IntegrityError as error:
            if project_code is None and not Project.objects.filter(omg_job_number=omg_job_number).exists():
                continue  # the generated code collided: try another one
            raise ConflictError(_conflict_message(code, None)) from error
        emit("project.created" if created else "project.updated", _event_payload(project))
        return project, created
    raise ConflictError("could not generate a unique project code")


@transaction.atomic
def project_update(*, project: Project, **fields) -> Project:
    _only_known(fields)
    project = Project.objects.select_for_update().get(pk=project.pk)
    changed = [name for name, value in fields.items() if getattr(project, name) != value]
    for name in changed:
        setattr(project, name, fields[name])
    if changed:
        project.save(update_fields=[*changed, "updated_at"])
        emit("project.updated", _event_payload(project))
    return project
