"""Writing one planned row through the intake services the webhooks use."""

import logging

from django.db import transaction

from deliverables.models import Transition
from deliverables.services import deliverable_upsert
from projects.models import Project
from projects.services import project_intake
from tracker.errors import ApplicationError
from tracker.models import Organisation

from .columns import DELIVERABLE_COLUMNS, PROJECT_COLUMNS, PROJECTS
from .plan import CREATE, ERROR, UNCHANGED, UPDATE, RowPlan

logger = logging.getLogger(__name__)


def _changed_only(plan: RowPlan, fields: dict, labels: dict) -> dict:
    """An update writes only the fields the dry run showed changing, so an unchanged row emits no event."""
    if plan.action == CREATE:
        return fields
    return {name: value for name, value in fields.items() if labels.get(name) in plan.changes}


def _project(organisation: Organisation, plan: RowPlan, source: str, create_only: dict) -> None:
    values = dict(plan.values)
    number = values.pop("omg_job_number")
    code = values.pop("project_code", None)
    labels = {name: spellings[0] for name, spellings in PROJECT_COLUMNS.items()}
    project_intake(
        organisation=organisation,
        omg_job_number=number,
        project_code=code,
        create_only={"source": source, **create_only},
        **_changed_only(plan, values, labels),
    )


def _deliverable(organisation: Organisation, plan: RowPlan, source: str, projects: dict) -> None:
    values = dict(plan.values)
    number, name = values.pop("project_omg_job_number"), values.pop("name")
    if number not in projects:
        projects[number] = Project.objects.filter(organisation=organisation, omg_job_number=number).first()
    if projects[number] is None:
        raise ApplicationError(f"no project with OMG job number {number}: its row was not imported")
    labels = {field: spellings[0] for field, spellings in DELIVERABLE_COLUMNS.items()}
    fields = _changed_only(plan, values, labels)
    deliverable_upsert(
        project=projects[number],
        name=name,
        actor=None,
        source=Transition.Source.API,
        system=source,
        **fields,
    )


def write_row(organisation: Organisation, plan: RowPlan, source: str, projects: dict, create_only: dict) -> dict:
    """Write one row; returns what happened to it for the report. A refusal skips the row and says why.
    `projects` caches the job number -> project of deliverable rows; `create_only` holds what every new project
    of this import gets (the default pipeline, read once rather than per row)."""
    if plan.action == ERROR:
        return {"action": "skipped", "message": "; ".join(f"{e['cell']}: {e['message']}" for e in plan.errors)}
    if plan.action == UNCHANGED:
        return {"action": "unchanged", "message": ""}
    try:
        with transaction.atomic():  # a savepoint: whatever fails here takes only this row's writes with it
            if plan.kind == PROJECTS:
                _project(organisation, plan, source, create_only)
            else:
                _deliverable(organisation, plan, source, projects)
    except ApplicationError as error:
        return {"action": "skipped", "message": str(error)}
    except Exception:
        logger.exception("spreadsheets.row_failed", extra={"sheet": plan.sheet, "row": plan.row})
        return {"action": "skipped", "message": "this row could not be written (logged for the developers)"}
    return {
        "action": "created" if plan.action == CREATE else "updated" if plan.action == UPDATE else plan.action,
        "message": "",
    }
