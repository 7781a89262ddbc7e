"""The one spreadsheet exporter every list's "Download XLSX" uses: headers + rows in, an .xlsx response out.

Rows are consumed one at a time (pass a generator over `queryset.iterator()`) and written by openpyxl's
write-only mode, which keeps no cell objects around, so memory stays flat however long the list. The header row
is bold and frozen; dates and times are written as Excel dates (times in the tracker's time zone, since Excel has
none), so a person can sort and filter them.
"""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Spool to disk past this size, so a long export never sits whole in memory.
SPOOL_BYTES = 8 * 1024 * 1024


def _cell(sheet, value):
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store this as a formula; text from upstream systems ("=HYPERLINK(...)") must stay text.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_sheets(stream, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> None:
    """Write `(title, headers, rows)` sheets to a binary stream, each with a frozen bold header row."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    book.save(stream)


def write_xlsx(stream, *, headers: Sequence[str], rows: Iterable[Sequence], sheet_title: str = "Export") -> None:
    """Write one sheet: a frozen bold header row, then a row per item of `rows`."""
    write_sheets(stream, [(sheet_title, headers, rows)])


def sheets_response(*, file_name: str, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> FileResponse:
    """A download of several sheets as `<file_name>.xlsx`."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    write_sheets(spool, sheets)
    spool.seek(0)
    name = file_name if file_name.endswith(".xlsx") else f"{file_name}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(
    *, file_name: str, headers: Sequence[str], rows: Iterable[Sequence], sheet_title: str = "Export"
) -> FileResponse:
    """A download of the rows as `<file_name>.xlsx`."""
    return sheets_response(file_name=file_name, sheets=[(sheet_title, headers, rows)])


def dated_name(prefix: str) -> str:
    """`projects-2026-04-24.xlsx`: the list's name and the day it was taken."""
    return f"{prefix}-{timezone.localdate():%Y-%m-%d}.xlsx"
