"""Workbooks an import offers for download: the blank template, and the per-row report (the file's own rows
with one more column saying what happened to each). The report reads the file and the import's rows side by side,
a row at a time, and openpyxl writes it in write-only mode, so a 10,000-row report never sits whole in memory."""

from collections.abc import Iterator

from .columns import DELIVERABLE_COLUMNS, PROJECT_COLUMNS
from .models import ImportRow, SpreadsheetImport
from .steps import stored_workbook

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
        text = ImportRow.Result(result["action"]).label
        detail = result["message"]
    else:
        text = ImportRow.Action(row["action"]).label
        detail = errors
    changes = ", ".join(f"{field}: {old or '—'} → {new or '—'}" for field, (old, new) in row["changes"].items())
    if row["action"] == "update" and changes:
        detail = f"{detail}; {changes}" if detail else changes
    notes = " ".join(row["notes"])
    return " — ".join(part for part in (text, detail, notes) if part)


def _with_outcomes(file_rows: Iterator, outcomes: Iterator[ImportRow], width: int) -> Iterator[list]:
    """Each file row (padded to the header's width, so the result lines up) with its outcome; both come in row
    order, so they are joined as they stream."""
    outcome = next(outcomes, None)
    for number, cells in file_rows:
        while outcome is not None and outcome.row < number:
            outcome = next(outcomes, None)
        text = describe(outcome.as_json()) if outcome is not None and outcome.row == number else ""
        yield [*cells, *[None] * (width - len(cells)), text]


def report_sheets(spreadsheet_import: SpreadsheetImport) -> Iterator:
    """`(title, headers, rows)` per sheet for `tracker.export`; consume it whole before leaving (the file is open
    while it runs)."""
    rows = ImportRow.objects.filter(spreadsheet_import=spreadsheet_import).order_by("position")
    with stored_workbook(spreadsheet_import) as book:
        for sheet in book.sheets():
            outcomes = rows.filter(kind=sheet.kind).iterator(chunk_size=1000)
            yield (
                sheet.name,
                [*sheet.headers, RESULT_HEADER],
                _with_outcomes(book.rows(sheet), outcomes, len(sheet.headers)),
            )
