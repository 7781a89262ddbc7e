"""The dry run: what an import would do to each row, worked out without writing anything.

Every row becomes one `RowPlan`: create, update (with each changed field, old -> new, as people read them: "High",
not HIGH), unchanged, or error (with the cell: sheet, row, column, and why). A sheet is planned a chunk of rows at
a time (`SheetPlanner.plan`): each chunk reads the existing rows it needs in a few queries, and what earlier chunks
decided (the first row of each job number, the projects the file creates) is asked of the `Ledger`, the import's
stored rows, so no step keeps every row of a large file in memory. The commit (`steps`) plans again and refuses
when the result differs from the dry run the producer saw, then writes the rows it planned, so a commit is exactly
its dry run.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Protocol

from django.core.exceptions import FieldDoesNotExist

from deliverables.models import Deliverable
from projects.models import Project
from tracker.models import ClientTeam, Organisation

from .cells import DELIVERABLE_CONVERTERS, PROJECT_CONVERTERS, CellError
from .columns import DELIVERABLES, PROJECTS, column_letter, header_label
from .reader import Sheet

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
MODELS = {PROJECTS: Project, DELIVERABLES: Deliverable}


class Ledger(Protocol):
    """What the rows before a chunk decided (the import's stored rows answer it)."""

    def claimed(self, kind: str, keys: list[str], before: int) -> dict[str, int]:
        """`{key: Excel row}` of the rows before position `before` that are imported for these keys."""

    def creating(self, numbers: list[str]) -> set[str]:
        """The job numbers the projects sheet creates."""


@dataclass
class RowPlan:
    """What happens to one spreadsheet row. `values` (model field -> value) is what a commit writes."""

    sheet: str
    kind: str
    row: int
    position: int = 0
    key: str = ""
    claims_key: bool = False
    action: str = CREATE
    changes: dict = field(default_factory=dict)  # field label -> [old, new] as text
    errors: list = field(default_factory=list)  # {"cell", "column", "message"}
    notes: list = field(default_factory=list)
    values: dict = field(default_factory=dict, repr=False)
    columns: dict = field(default_factory=dict, repr=False)  # field -> (column index, header) in this sheet

    def error(self, message: str, *, column: str = "", index: int | None = None) -> None:
        cell = f"{self.sheet}!{column_letter(index)}{self.row}" if index is not None else f"{self.sheet}!{self.row}"
        self.errors.append({"cell": cell, "column": column, "message": message})
        self.action = ERROR

    def error_in(self, name: str, message: str) -> None:
        """An error about the value of one field: the cell is that field's column on this row."""
        index, header = self.columns.get(name, (None, ""))
        self.error(message, column=header, index=index)


def shown(value, kind: str = "", name: str = "") -> str:
    """A value as the dry-run table shows it: a choice by its label (the words people know), a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ClientTeam):
        return value.name
    if kind and name and isinstance(value, str):
        return str(_labels(kind, name).get(value, value))
    return str(value)


@cache
def _labels(kind: str, name: str) -> dict:
    """value -> label of a field with choices (status, priority), else empty."""
    try:
        return dict(MODELS[kind]._meta.get_field(name).flatchoices or ())
    except FieldDoesNotExist:
        return {}


def _missing(plan: RowPlan, kind: str, name: str) -> None:
    label = header_label(kind, name)
    if not plan.values.get(name) and not any(e["column"] == plan.columns.get(name, (0, label))[1] for e in plan.errors):
        plan.error_in(name, f"{label} is required")


def _compare(plan: RowPlan, existing, fields: dict, kind: str) -> None:
    for name, new in fields.items():
        old = getattr(existing, name)
        if old != new:
            plan.changes[header_label(kind, name)] = [shown(old, kind, name), shown(new, kind, name)]
    plan.action = UPDATE if plan.changes else UNCHANGED


def _created(plan: RowPlan, fields: dict, kind: str) -> None:
    plan.changes = {header_label(kind, k): ["", shown(v, kind, k)] for k, v in fields.items()}


def _team_lookup(organisation: Organisation) -> dict:
    teams = {}
    for team in ClientTeam.objects.filter(organisation=organisation).order_by("-pk"):
        teams[team.name.lower()] = team
    for team in ClientTeam.objects.filter(organisation=organisation):
        teams[team.slug.lower()] = team  # a slug match wins over a name, as on the webhook
    return teams


class SheetPlanner:
    """Plans one sheet of an import, a chunk of rows at a time, in order."""

    def __init__(self, *, organisation: Organisation, sheet: Sheet, mapping: dict, ledger: Ledger):
        self.organisation, self.sheet, self.ledger = organisation, sheet, ledger
        columns = [(index, header, mapping.get(header)) for index, header in enumerate(sheet.headers)]
        self.columns = [(index, header, name) for index, header, name in columns if name]
        self.converters = PROJECT_CONVERTERS if sheet.kind == PROJECTS else DELIVERABLE_CONVERTERS
        self.teams = _team_lookup(organisation) if sheet.kind == PROJECTS else {}

    def plan(self, rows: list[tuple[int, list]], first_position: int) -> list[RowPlan]:
        """`rows` are `(Excel row number, cells)`; the first is the import's row at `first_position`."""
        plans = [self._parse(number, cells) for number, cells in rows]
        for offset, plan in enumerate(plans):
            plan.position = first_position + offset
        if self.sheet.kind == PROJECTS:
            self._projects(plans, first_position)
        else:
            self._deliverables(plans, first_position)
        return plans

    def _parse(self, number: int, cells: list) -> RowPlan:
        plan = RowPlan(sheet=self.sheet.name, kind=self.sheet.kind, row=number)
        plan.columns = {name: (index, header) for index, header, name in self.columns}
        for index, header, name in self.columns:
            cell = cells[index] if index < len(cells) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            if name == "client_team":
                team = self.teams.get(str(cell).strip().lower())
                if team is None:
                    plan.notes.append(f"Team {str(cell).strip()!r} is not a client team here; the team is left as is.")
                else:
                    plan.values[name] = team
                continue
            try:
                plan.values[name] = self.converters[name](cell)
            except CellError as error:
                plan.error(str(error), column=header, index=index)
        return plan

    def _claim(self, plans: list[RowPlan], first_position: int, duplicate) -> None:
        """The first row of each key is the one imported; a later one is an error naming that first row."""
        keys = sorted({plan.key for plan in plans if plan.claims_key})
        first_row = self.ledger.claimed(self.sheet.kind, keys, first_position) if keys else {}
        for plan in plans:
            if not plan.claims_key:
                continue
            if plan.key in first_row:
                plan.claims_key = False
                duplicate(plan, first_row[plan.key])
            else:
                first_row[plan.key] = plan.row

    def _projects(self, plans: list[RowPlan], first_position: int) -> None:
        for plan in plans:
            _missing(plan, PROJECTS, "omg_job_number")
            plan.key = plan.values.get("omg_job_number") or ""
            plan.claims_key = bool(plan.key)
        self._claim(
            plans,
            first_position,
            lambda plan, row: plan.error_in(
                "omg_job_number", f"OMG job number {plan.key} is also on row {row}; only that row is imported"
            ),
        )
        numbers = [plan.key for plan in plans if plan.claims_key]
        existing = {
            p.omg_job_number: p
            for p in Project.objects.filter(omg_job_number__in=numbers).select_related("client_team")
        }
        codes = {p.values["project_code"] for p in plans if p.action != ERROR and p.values.get("project_code")}
        taken = set(Project.objects.filter(project_code__in=codes).values_list("project_code", flat=True))
        for plan in plans:
            if plan.action == ERROR:
                continue
            project = existing.get(plan.key)
            fields = {k: v for k, v in plan.values.items() if k not in ("omg_job_number", "project_code")}
            if project is not None and project.organisation_id != self.organisation.pk:
                plan.error_in("omg_job_number", f"OMG job number {plan.key} belongs to another organisation's project")
            elif project is not None:
                plan.values = {"omg_job_number": plan.key, **fields}  # a project code is used on create only
                _compare(plan, project, fields, PROJECTS)
            elif not fields.get("name"):
                plan.error_in("name", "Project Name is required for a new project")
            elif plan.values.get("project_code") in taken:
                plan.error_in(
                    "project_code", f"Project code {plan.values['project_code']} is already used by another project"
                )
            else:
                _created(plan, plan.values, PROJECTS)

    def _deliverables(self, plans: list[RowPlan], first_position: int) -> None:
        for plan in plans:
            _missing(plan, DELIVERABLES, "project_omg_job_number")
            _missing(plan, DELIVERABLES, "name")
            number, name = plan.values.get("project_omg_job_number"), plan.values.get("name")
            plan.key = " / ".join(part or "" for part in (number, name))
            plan.claims_key = plan.action != ERROR
        self._claim(
            plans,
            first_position,
            lambda plan, row: plan.error_in(
                "name", f"This deliverable is also on row {row}; only that row is imported"
            ),
        )
        live = [plan for plan in plans if plan.action != ERROR]
        numbers = sorted({plan.values["project_omg_job_number"] for plan in live})
        projects = dict(
            Project.objects.filter(organisation=self.organisation, omg_job_number__in=numbers).values_list(
                "omg_job_number", "pk"
            )
        )
        creating = self.ledger.creating([n for n in numbers if n not in projects]) if numbers else set()
        existing = {
            (d.project.omg_job_number, d.name): d
            for d in Deliverable.objects.filter(
                project_id__in=projects.values(), name__in={plan.values["name"] for plan in live}
            ).select_related("project")
        }
        for plan in live:
            number, name = plan.values["project_omg_job_number"], plan.values["name"]
            fields = {k: v for k, v in plan.values.items() if k not in ("project_omg_job_number", "name")}
            deliverable = existing.get((number, name))
            if number not in projects and number not in creating:
                plan.error_in(
                    "project_omg_job_number", f"No project with OMG job number {number}, here or in the projects sheet"
                )
            elif deliverable is not None:
                _compare(plan, deliverable, fields, DELIVERABLES)
            else:
                _created(plan, fields, DELIVERABLES)


def summary(actions) -> dict:
    """`{create: n, update: n, unchanged: n, error: n}` from each row's action."""
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
    for action in actions:
        counts[action] += 1
    return counts
