"""Reading an uploaded workbook (.xlsx/.xls/.ods through python-calamine, .csv through the csv module).

calamine is a Rust reader: it keeps cells compactly outside Python and hands formulas over as their cached values
and date-formatted cells as dates, so a 10,000-row sheet reads in well under a second. Rows are yielded one at a
time with their Excel row number, so a per-row report can name the cell a person looks for.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import python_calamine
from django.conf import settings

from tracker.errors import ApplicationError

from .columns import DELIVERABLES, PROJECTS, recognised_count, sheet_kind

CSV_EXTENSIONS = (".csv",)
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
# How far down a header row may sit under title rows (a merged "OMG export — week 17" banner, a blank line).
HEADER_SEARCH_ROWS = 20


class SpreadsheetRefused(ApplicationError):
    """The file cannot be imported at all (wrong type, unreadable, too big, no header row)."""


@dataclass
class Sheet:
    """One sheet of a workbook: what it holds (projects or deliverables), its header row and its data rows."""

    kind: str
    name: str
    header_row: int  # 1-based, as Excel numbers rows
    headers: list[str]
    rows: list[tuple[int, list]] = field(repr=False)  # (Excel row number, cells) with blank rows left out


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _find_header(kind_hint: str | None, rows: list[list]) -> tuple[str, int] | None:
    """`(kind, index)` of the first row naming at least two known columns; the hint breaks ties."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        kinds = [kind_hint] if kind_hint else [PROJECTS, DELIVERABLES]
        for kind in kinds:
            if recognised_count(kind, cells) >= 2:
                return kind, index
    return None


def _sheet(name: str, rows: list[list], *, kind_hint: str | None) -> Sheet | None:
    found = _find_header(kind_hint, rows)
    if found is None:
        return None
    kind, index = found
    headers = [str(cell).strip() if cell is not None else "" for cell in rows[index]]
    data = [(number, cells) for number, cells in enumerate(rows[index + 1 :], start=index + 2) if not _is_blank(cells)]
    return Sheet(kind=kind, name=name, header_row=index + 1, headers=headers, rows=data)


def _check_rows(total: int) -> None:
    limit = settings.SPREADSHEET_IMPORT_MAX_ROWS
    if total > limit:
        raise SpreadsheetRefused(f"the file has {total:,} rows; the limit is {limit:,} rows per sheet")


def check_size(size: int) -> None:
    limit = settings.SPREADSHEET_IMPORT_MAX_BYTES
    if size > limit:
        raise SpreadsheetRefused(f"the file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")


def _workbook_sheets(content: bytes) -> Iterator[tuple[str, list[list]]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises several types for a file that is not a workbook
        raise SpreadsheetRefused("the file could not be read as a spreadsheet") from error
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        _check_rows(sheet.total_height)
        yield name, [list(row) for row in sheet.iter_rows()]


def _csv_rows(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    rows = list(csv.reader(io.StringIO(text)))
    _check_rows(len(rows))
    return [[cell if cell.strip() else None for cell in row] for row in rows]


def read_sheets(content: bytes, file_name: str) -> list[Sheet]:
    """The projects sheet first, then the deliverables sheet when the workbook has one.

    A sheet named like "Projects" / "Deliverables" is taken as that kind; otherwise a sheet's header decides.
    Sheets with no recognisable header row (a cover sheet, a pivot) are left out.
    """
    check_size(len(content))
    lower = file_name.lower()
    if lower.endswith(CSV_EXTENSIONS):
        raw = [("CSV", _csv_rows(content))]
    elif lower.endswith(WORKBOOK_EXTENSIONS):
        raw = list(_workbook_sheets(content))
    else:
        raise SpreadsheetRefused("upload an .xlsx or .csv file")
    sheets: dict[str, Sheet] = {}
    for name, rows in raw:
        sheet = _sheet(name, rows, kind_hint=sheet_kind(name))
        if sheet is not None and sheet.kind not in sheets:
            sheets[sheet.kind] = sheet
    if PROJECTS not in sheets and DELIVERABLES not in sheets:
        raise SpreadsheetRefused("no header row found: the first rows should name the columns (e.g. OMG Job Number)")
    return [sheets[kind] for kind in (PROJECTS, DELIVERABLES) if kind in sheets]
