"""Workbooks an import offers for download: the blank template, and the per-row report (the file's own rows
with one more column saying what happened to each)."""

from collections.abc import Iterator

from .columns import DELIVERABLE_COLUMNS, PROJECT_COLUMNS
from .models import SpreadsheetImport
from .reader import read_sheets

RESULT_HEADER = "Import result"
TEMPLATE_EXAMPLE = {
    "Projects": [
        "OMG-12345", "", "Q2 Launch Homepage Takeover", "Dow Jones", "Events", "Display", "High", "In Production", 3,
        None, None, "alex.smith@example.com", "Board sign-off required.", "",
    ],
    "Deliverables": [
        "OMG-12345", "Homepage desktop hero — variant A", "High", "In progress", None, "", "CMF-8829-A", 5,
    ],
}  # fmt: skip


def template_sheets() -> list:
    return [
        ("Projects", [spellings[0] for spellings in PROJECT_COLUMNS.values()], [TEMPLATE_EXAMPLE["Projects"]]),
        (
            "Deliverables",
            [spellings[0] for spellings in DELIVERABLE_COLUMNS.values()],
            [TEMPLATE_EXAMPLE["Deliverables"]],
        ),
    ]


def describe(row: dict) -> str:
    """What happened to a row, in words: the commit's result when there is one, else the dry run's plan."""
    errors = "; ".join(f"{e['cell']}: {e['message']}" for e in row["errors"])
    result = row.get("result")
    if result:
        text = {"created": "Created", "updated": "Updated", "unchanged": "Unchanged", "skipped": "Skipped"}[
            result["action"]
        ]
        detail = result["message"]
    else:
        text = {"create": "Will create", "update": "Will update", "unchanged": "Unchanged", "error": "Error"}[
            row["action"]
        ]
        detail = errors
    changes = ", ".join(f"{field}: {old or '—'} → {new or '—'}" for field, (old, new) in row["changes"].items())
    if row["action"] == "update" and changes:
        detail = f"{detail}; {changes}" if detail else changes
    notes = " ".join(row["notes"])
    return " — ".join(part for part in (text, detail, notes) if part)


def report_sheets(spreadsheet_import: SpreadsheetImport) -> Iterator:
    with spreadsheet_import.file.open("rb") as handle:
        sheets = read_sheets(handle.read(), spreadsheet_import.file_name)
    outcomes = {(row["sheet"], row["row"]): describe(row) for row in spreadsheet_import.report}
    for sheet in sheets:
        rows = ([*cells, outcomes.get((sheet.name, number), "")] for number, cells in sheet.rows)
        yield sheet.name, [*sheet.headers, RESULT_HEADER], rows
