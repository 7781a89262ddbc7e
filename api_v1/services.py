"""Writes behind the v1 endpoints: thin adapters from the v1 wire fields onto the domain's intake services."""

from django.db import transaction

from deliverables.models import Deliverable
from deliverables.services import deliverable_upsert
from projects.models import Project
from projects.selectors import pipeline_template_default
from projects.services import project_intake
from tracker.models import Organisation


@transaction.atomic
def api_project_upsert(*, organisation: Organisation, fields: dict) -> tuple[Project, bool]:
    """POST /api/v1/projects: upsert on `omg_job_number` when given, otherwise create. Returns `(project, created)`.

    A new project gets the pipeline template asked for or the organisation's default one, and source "api".
    An OMG job number that belongs to another organisation is a conflict; the whole write rolls back.
    """
    fields = dict(fields)
    create_only = {"source": "api"}
    if fields.get("pipeline_template") is None:
        fields.pop("pipeline_template", None)
        create_only["pipeline_template"] = pipeline_template_default(organisation=organisation)
    return project_intake(
        organisation=organisation,
        omg_job_number=fields.pop("omg_job_number", None),
        project_code=fields.pop("project_code", None),
        create_only=create_only,
        **fields,
    )


@transaction.atomic
def api_deliverable_upsert(*, project: Project, fields: dict) -> tuple[Deliverable, bool]:
    """POST /api/v1/projects/<id>/deliverables: upsert on `name` within the project."""
    fields = dict(fields)
    return deliverable_upsert(project=project, name=fields.pop("name"), status=fields.pop("status", None), **fields)
