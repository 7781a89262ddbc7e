"""Writing one planned row through the intake services the webhooks use, called as the webhooks call them
(`tracker.api.intake.run_upsert`): the same refusals, and an unexpected failure logged under a reference."""

from dataclasses import dataclass, field

from deliverables.models import Transition
from deliverables.services import deliverable_upsert
from projects.models import Project
from projects.services import project_intake
from tracker.api.intake import UpsertFailed, run_upsert
from tracker.errors import ApplicationError
from tracker.models import Organisation

from .cells import values_from_json
from .columns import DELIVERABLE_COLUMNS, PROJECT_COLUMNS, PROJECTS
from .models import ImportRow

LABELS = {
    PROJECTS: {name: spellings[0] for name, spellings in PROJECT_COLUMNS.items()},
    "deliverables": {name: spellings[0] for name, spellings in DELIVERABLE_COLUMNS.items()},
}
RESULTS = {
    ImportRow.Action.CREATE: ImportRow.Result.CREATED,
    ImportRow.Action.UPDATE: ImportRow.Result.UPDATED,
}


@dataclass
class Batch:
    """What the rows of one commit share, read once rather than per row: the organisation, the source, what
    every new project gets (the default pipeline), the teams met so far, and the projects of the current chunk's
    deliverable rows (job number -> project, or None when there is none)."""

    organisation: Organisation
    source: str
    create_only: dict
    teams: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)

    def load_projects(self, rows: list[ImportRow]) -> None:
        writes = [row for row in rows if row.kind != PROJECTS and row.action in RESULTS]
        numbers = {row.values["project_omg_job_number"] for row in writes}
        found = Project.objects.filter(organisation=self.organisation, omg_job_number__in=numbers).select_related(
            "organisation", "pipeline_template"
        )
        self.projects = {number: None for number in numbers} | {p.omg_job_number: p for p in found}


def _changed_only(row: ImportRow, fields: dict) -> dict:
    """An update writes only the fields the dry run showed changing, so an unchanged field emits no event."""
    if row.action == ImportRow.Action.CREATE:
        return fields
    labels = LABELS[row.kind]
    return {name: value for name, value in fields.items() if labels.get(name) in row.changes}


def _project(row: ImportRow, batch: Batch) -> None:
    values = values_from_json(row.values, batch.teams)
    number = values.pop("omg_job_number")
    code = values.pop("project_code", None)
    run_upsert(
        project_intake,
        organisation=batch.organisation,
        omg_job_number=number,
        project_code=code,
        create_only={"source": batch.source, **batch.create_only},
        **_changed_only(row, values),
    )


def _deliverable(row: ImportRow, batch: Batch) -> None:
    values = values_from_json(row.values, batch.teams)
    number, name = values.pop("project_omg_job_number"), values.pop("name")
    project = batch.projects.get(number)
    if project is None:
        raise ApplicationError(f"no project with OMG job number {number}: its row was not imported")
    run_upsert(
        deliverable_upsert,
        project=project,
        name=name,
        actor=None,
        source=Transition.Source.API,
        system=batch.source,
        **_changed_only(row, values),
    )


def write_row(row: ImportRow, batch: Batch) -> None:
    """Write one row and set its `result` (and `result_message`, why a row was skipped). A refusal skips the row.
    Each intake service is atomic, so inside the commit's transaction a refused row's writes roll back alone."""
    if row.action == ImportRow.Action.ERROR:
        row.result = ImportRow.Result.SKIPPED
        row.result_message = "; ".join(f"{e['cell']}: {e['message']}" for e in row.errors)
        return
    if row.action == ImportRow.Action.UNCHANGED:  # the dry run proved there is nothing to write
        row.result, row.result_message = ImportRow.Result.UNCHANGED, ""
        return
    try:
        if row.kind == PROJECTS:
            _project(row, batch)
        else:
            _deliverable(row, batch)
    except UpsertFailed as error:
        row.result = ImportRow.Result.SKIPPED
        row.result_message = f"this row could not be written (reference {error.reference})"
    except ApplicationError as error:
        row.result, row.result_message = ImportRow.Result.SKIPPED, str(error)
    else:
        row.result, row.result_message = RESULTS[row.action], ""
