"""The dry run: what an import would do to each row, worked out without writing anything.

Every row becomes one `RowPlan`: create, update (with each changed field, old -> new), unchanged, or error (with
the cell: sheet, row, column, and why). Existing rows are read in batches, so planning 10,000 rows is a few dozen
queries. The commit (`services.spreadsheet_import_commit`) plans again and refuses when the result differs from
the dry run the producer saw, then writes the rows it planned, so a commit is exactly its dry run.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from deliverables.models import Deliverable
from projects.models import Project
from tracker.models import ClientTeam, Organisation

from .cells import DELIVERABLE_CONVERTERS, PROJECT_CONVERTERS, CellError
from .columns import DELIVERABLES, PROJECTS, column_letter, header_label
from .reader import Sheet

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
BATCH = 500


@dataclass
class RowPlan:
    """What happens to one spreadsheet row. `values` (model field -> value) is what a commit writes."""

    sheet: str
    kind: str
    row: int
    key: str = ""
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

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "row": self.row,
            "key": self.key,
            "action": self.action,
            "changes": self.changes,
            "errors": self.errors,
            "notes": self.notes,
        }


def shown(value) -> str:
    """A value as the dry-run table shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ClientTeam):
        return value.name
    return str(value)


def _parse(sheet: Sheet, mapping: dict, converters: dict, teams: dict | None) -> Iterable[RowPlan]:
    columns = [(index, header, mapping.get(header)) for index, header in enumerate(sheet.headers)]
    columns = [(index, header, name) for index, header, name in columns if name]
    for number, cells in sheet.rows:
        plan = RowPlan(sheet=sheet.name, kind=sheet.kind, row=number)
        plan.columns = {name: (index, header) for index, header, name in columns}
        for index, header, name in columns:
            cell = cells[index] if index < len(cells) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            if name == "client_team":
                team = teams.get(str(cell).strip().lower())
                if team is None:
                    plan.notes.append(f"Team {str(cell).strip()!r} is not a client team here; the team is left as is.")
                else:
                    plan.values[name] = team
                continue
            try:
                plan.values[name] = converters[name](cell)
            except CellError as error:
                plan.error(str(error), column=header, index=index)
        yield plan


def _missing(plan: RowPlan, kind: str, name: str) -> None:
    label = header_label(kind, name)
    if not plan.values.get(name) and not any(e["column"] == plan.columns.get(name, (0, label))[1] for e in plan.errors):
        plan.error_in(name, f"{label} is required")


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _compare(plan: RowPlan, existing, fields: dict, kind: str) -> None:
    for name, new in fields.items():
        old = getattr(existing, name)
        if old != new:
            plan.changes[header_label(kind, name)] = [shown(old), shown(new)]
    plan.action = UPDATE if plan.changes else UNCHANGED


def _team_lookup(organisation: Organisation) -> dict:
    teams = {}
    for team in ClientTeam.objects.filter(organisation=organisation).order_by("-pk"):
        teams[team.name.lower()] = team
    for team in ClientTeam.objects.filter(organisation=organisation):
        teams[team.slug.lower()] = team  # a slug match wins over a name, as on the webhook
    return teams


def plan_projects(*, organisation: Organisation, sheet: Sheet, mapping: dict, tick: Callable) -> list[RowPlan]:
    plans, first_row = [], {}
    for plan in _parse(sheet, mapping, PROJECT_CONVERTERS, _team_lookup(organisation)):
        _missing(plan, PROJECTS, "omg_job_number")
        number = plan.values.get("omg_job_number")
        plan.key = number or ""
        if number and number in first_row:
            plan.error_in(
                "omg_job_number",
                f"OMG job number {number} is also on row {first_row[number]}; only that row is imported",
            )
        elif number:
            first_row[number] = plan.row
        plans.append(plan)
        tick()
    numbers = list(first_row)
    existing = {}
    for chunk in _chunks(numbers):
        existing.update(
            (p.omg_job_number, p)
            for p in Project.objects.filter(omg_job_number__in=chunk).select_related("client_team")
        )
    codes = {v["project_code"] for p in plans if p.action != ERROR for v in [p.values] if v.get("project_code")}
    taken = set()
    for chunk in _chunks(sorted(codes)):
        taken.update(Project.objects.filter(project_code__in=chunk).values_list("project_code", flat=True))
    for plan in plans:
        if plan.action == ERROR:
            continue
        project = existing.get(plan.key)
        fields = {k: v for k, v in plan.values.items() if k not in ("omg_job_number", "project_code")}
        if project is not None and project.organisation_id != organisation.pk:
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
            plan.changes = {header_label(PROJECTS, k): ["", shown(v)] for k, v in plan.values.items()}
    return plans


def plan_deliverables(
    *, organisation: Organisation, sheet: Sheet, mapping: dict, new_projects: set, tick: Callable
) -> list[RowPlan]:
    plans, first_row = [], {}
    for plan in _parse(sheet, mapping, DELIVERABLE_CONVERTERS, None):
        _missing(plan, DELIVERABLES, "project_omg_job_number")
        _missing(plan, DELIVERABLES, "name")
        key = (plan.values.get("project_omg_job_number"), plan.values.get("name"))
        plan.key = " / ".join(part or "" for part in key)
        if plan.action != ERROR and key in first_row:
            plan.error_in("name", f"This deliverable is also on row {first_row[key]}; only that row is imported")
        elif plan.action != ERROR:
            first_row[key] = plan.row
        plans.append(plan)
        tick()
    numbers = sorted({number for number, _name in first_row})
    projects = {}
    for chunk in _chunks(numbers):
        projects.update(
            Project.objects.filter(organisation=organisation, omg_job_number__in=chunk).values_list(
                "omg_job_number", "pk"
            )
        )
    existing = {}
    for chunk in _chunks(list(projects.values())):
        for deliverable in Deliverable.objects.filter(project_id__in=chunk).select_related("project"):
            existing[(deliverable.project.omg_job_number, deliverable.name)] = deliverable
    for plan in plans:
        if plan.action == ERROR:
            continue
        number, name = plan.values["project_omg_job_number"], plan.values["name"]
        fields = {k: v for k, v in plan.values.items() if k not in ("project_omg_job_number", "name")}
        deliverable = existing.get((number, name))
        if number not in projects and number not in new_projects:
            plan.error_in(
                "project_omg_job_number", f"No project with OMG job number {number}, here or in the projects sheet"
            )
        elif deliverable is not None:
            _compare(plan, deliverable, fields, DELIVERABLES)
        else:
            plan.changes = {header_label(DELIVERABLES, k): ["", shown(v)] for k, v in fields.items()}
    return plans


def build_plan(
    *, organisation: Organisation, sheets: list[Sheet], mappings: dict, tick: Callable = lambda: None
) -> list[RowPlan]:
    """Plan every row of the projects sheet, then of the deliverables sheet (whose rows may name projects the
    projects sheet is about to create)."""
    plans: list[RowPlan] = []
    new_projects: set = set()
    for sheet in sheets:
        mapping = mappings.get(sheet.kind, {})
        if sheet.kind == PROJECTS:
            rows = plan_projects(organisation=organisation, sheet=sheet, mapping=mapping, tick=tick)
            new_projects = {p.key for p in rows if p.action == CREATE}
        else:
            rows = plan_deliverables(
                organisation=organisation, sheet=sheet, mapping=mapping, new_projects=new_projects, tick=tick
            )
        plans.extend(rows)
    return plans


def summary(rows: list[dict]) -> dict:
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
    for row in rows:
        counts[row["action"]] += 1
    return counts
