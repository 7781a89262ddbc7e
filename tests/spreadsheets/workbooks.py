"""Builds the OMG-style workbook the import tests read, the way a real export looks.

Run it to write the fixture by hand: `python -m tests.spreadsheets.workbooks var/omg_week17.xlsx`.

openpyxl writes a formula without its cached value (only Excel computes one), and a reader sees what Excel
saved, so `_cache_formulas` writes the values Excel would have cached into the sheet XML.
"""

import io
import re
import sys
import zipfile
from datetime import date, datetime

from openpyxl import Workbook

EXCEL_EPOCH = date(1899, 12, 30)


def serial(day: date) -> int:
    """A date as Excel stores it when the cell has no date format: days since 1899-12-30."""
    return (day - EXCEL_EPOCH).days


PROJECT_HEADER = [
    "OMG #",
    "Project Name",
    "Client",
    "Team",
    "Category",
    "Priority",
    "Status",
    "Outputs",
    "Accepted",
    "External Deadline",
    "Notes",
]
# (row cells); Outputs is a formula whose cached value follows in FORMULAS.
PROJECT_ROWS = [
    [
        "OMG-1001",
        "Q2 Launch Homepage Takeover",
        "Dow Jones",
        "Events",
        "Display",
        "high",
        "In Production",
        "=1+2",
        datetime(2026, 4, 20, 9, 0),
        serial(date(2026, 5, 15)),
        "Board sign-off required.",
    ],
    [
        "OMG-1002",
        "Barron's Summer Subscriptions",
        "Dow Jones",
        "brand",
        "Social",
        "Priority",
        "Brief in review",
        "=2*2",
        date(2026, 4, 21),
        "2026-06-01",
        None,
    ],
    None,  # a blank row in the middle of the data
    [
        "OMG-1003",
        "Mansion Global Newsletter",
        "Dow Jones",
        "Content",
        "Email",
        "ASAP",
        "Amends",
        "=1",
        date(2026, 4, 22),
        date(2026, 5, 30),
        None,
    ],
    [
        "OMG-1004",
        "WSJ Events Sponsorship Deck",
        "Dow Jones",
        "Sales",
        "Print",
        "low",
        "On hold",
        "=0+2",
        None,
        "31/05/2026",
        "Team to be confirmed.",
    ],
    [
        "OMG-1001",
        "Q2 Launch Homepage Takeover (copy)",
        "Dow Jones",
        "Events",
        "Display",
        "high",
        "Amends",
        "=1+2",
        None,
        None,
        None,
    ],
    [
        12345,
        "Investor's Business Daily Rebrand",
        "Dow Jones",
        "b2b",
        "Display",
        "medium",
        "Client Review",
        "=5",
        None,
        serial(date(2026, 7, 1)),
        None,
    ],
    None,
    None,
]
FORMULAS = {"1+2": 3, "2*2": 4, "1": 1, "0+2": 2, "5": 5}

DELIVERABLE_HEADER = ["Job No.", "Deliverable", "Priority", "Status", "Due", "SKU", "Assets"]
DELIVERABLE_ROWS = [
    ["OMG-1001", "Homepage desktop hero — variant A", "HIGH", "In progress", date(2026, 5, 10), "CMF-8829-A", 5],
    ["OMG-1001", "Homepage mobile hero", "Medium", None, serial(date(2026, 5, 12)), None, 3],
    ["OMG-1002", "Instagram carousel", "low", "Not started", None, None, None],
    ["OMG-9999", "Orphan banner", "low", None, None, None, None],
    ["12345", "Logo lockups", "Urgent", "On hold", None, "CMF-1", 12],
]


def _cache_formulas(content: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for formula, value in FORMULAS.items():
                    text = re.sub(
                        rf"<f>{re.escape(formula)}</f><v\s*/>|<f>{re.escape(formula)}</f><v></v>",
                        f"<f>{formula}</f><v>{value}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def omg_workbook() -> bytes:
    """The week-17 OMG export: a title banner merged over the columns, a date line, a blank line, then the
    header with OMG's own spellings; a deliverables sheet keyed by the job number."""
    book = Workbook()
    projects = book.active
    projects.title = "OMG Export"
    projects.append(["OMG job export — week 17"])
    projects.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PROJECT_HEADER))
    projects.append(["Exported 24/04/2026 by the OMG scheduler"])
    projects.append([])
    projects.append(PROJECT_HEADER)
    for row in PROJECT_ROWS:
        projects.append(row or [])
    for cells in projects.iter_rows(min_row=5):
        if isinstance(cells[8].value, datetime | date):
            cells[8].number_format = "dd/mm/yyyy hh:mm"
    deliverables = book.create_sheet("Deliverables")
    deliverables.append(DELIVERABLE_HEADER)
    for row in DELIVERABLE_ROWS:
        deliverables.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return _cache_formulas(buffer.getvalue())


def large_workbook(rows: int) -> bytes:
    """A plain export of `rows` jobs (write-only, so building it stays quick), for the worker and size tests."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Projects")
    sheet.append(["OMG Job Number", "Project Name", "Priority", "Due"])
    for i in range(rows):
        sheet.append([f"OMG-{500000 + i}", f"Job {i}", ("high", "low")[i % 2], date(2026, 6, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as handle:
        handle.write(omg_workbook())
