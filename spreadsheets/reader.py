"""Reading an uploaded spreadsheet one row at a time, so memory stays flat however many rows it has.

.xlsx / .xlsm go through openpyxl in read-only mode: it parses the sheet's XML as a stream and keeps only the
current row (plus the workbook's shared-string table, which Excel keeps for the whole file). python-calamine was
measured too (10,000 and 50,000 rows of an OMG export): it is ten times faster, but it loads a whole sheet into
its own (Rust) memory first, about 1 MB per 1,000 rows, where openpyxl's peak grew by about 0.1 MB per 1,000
rows; ~1 s per 10,000 rows is small beside the commit, so openpyxl reads the formats it can. .xls and .ods (old
Excel, LibreOffice), which openpyxl cannot read, still go through calamine, a sheet at a time within the row
limit. .csv streams through the csv module.

Formulas are read as the values Excel saved with them; date-formatted cells arrive as dates (serial numbers and
text dates are converted by `cells.as_date`). Rows come with their Excel row number, so a per-row report names the
cell a person looks for; blank rows are left out.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import python_calamine
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tracker.errors import ApplicationError

from .columns import DELIVERABLES, PROJECTS, recognised_count, sheet_kind

CSV_EXTENSIONS = (".csv",)
OPENPYXL_EXTENSIONS = (".xlsx", ".xlsm")
CALAMINE_EXTENSIONS = (".xls", ".ods")
# How far down a header row may sit under title rows (a merged "OMG export — week 17" banner, a blank line).
HEADER_SEARCH_ROWS = 20
HASH_CHUNK = 1024 * 1024

RawRows = Callable[[], Iterator]  # a fresh iterator over a sheet's rows, from row 1


class SpreadsheetRefused(ApplicationError):
    """The file cannot be imported at all (wrong type, unreadable, too big, no header row)."""


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: what it holds (projects or deliverables), where its header row is, and what the
    header says. Its data rows are read with `Workbook.rows(sheet)`."""

    kind: str
    name: str
    header_row: int  # 1-based, as Excel numbers rows
    headers: list[str]


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def check_size(size: int) -> None:
    limit = settings.SPREADSHEET_IMPORT_MAX_BYTES
    if size > limit:
        raise SpreadsheetRefused(f"the file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")


def _openpyxl_sheets(stream: BinaryIO) -> tuple[list[tuple[str, RawRows]], Callable]:
    try:
        book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SpreadsheetRefused("the file could not be read as a spreadsheet") from error
    sheets = []
    for sheet in book.worksheets:
        # The <dimension> an exporter writes can be wrong (some write A1:A1): read to the last row really there.
        sheet.reset_dimensions()
        sheets.append((sheet.title, lambda sheet=sheet: sheet.iter_rows(values_only=True)))
    return sheets, book.close


def _calamine_sheets(stream: BinaryIO) -> tuple[list[tuple[str, RawRows]], Callable]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(stream)
    except Exception as error:  # calamine raises several types for a file that is not a workbook
        raise SpreadsheetRefused("the file could not be read as a spreadsheet") from error

    def rows(name: str) -> Iterator:
        sheet = book.get_sheet_by_name(name)
        _check_rows(name, sheet.total_height)
        return sheet.iter_rows()

    return [(name, lambda name=name: rows(name)) for name in book.sheet_names], book.close


def _csv_encoding(stream: BinaryIO) -> str:
    """UTF-8 (with or without a BOM) when the whole file decodes as that, else Excel's Windows "CSV" encoding.
    Decoded a chunk at a time, so the check holds no more of the file than one chunk."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    stream.seek(0)
    try:
        while chunk := stream.read(HASH_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _csv_sheets(stream: BinaryIO) -> tuple[list[tuple[str, RawRows]], Callable]:
    encoding = _csv_encoding(stream)

    def rows() -> Iterator:
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        try:
            for row in csv.reader(text):
                yield [cell if cell.strip() else None for cell in row]
        finally:
            text.detach()  # leave the file open for the next pass (a TextIOWrapper closes it when collected)

    return [("CSV", rows)], lambda: None


def _check_rows(name: str, total: int) -> None:
    limit = settings.SPREADSHEET_IMPORT_MAX_ROWS
    if total > limit:
        raise SpreadsheetRefused(f"sheet {name!r} has more than {limit:,} rows; the limit is {limit:,} rows per sheet")


class Workbook:
    """An open spreadsheet. `sheets()` finds the projects and deliverables sheets from their first rows;
    `rows(sheet)` streams one sheet's data rows. Use it as a context manager, or call `close()`."""

    def __init__(self, stream: BinaryIO, file_name: str):
        lower = file_name.lower()
        stream.seek(0)
        if lower.endswith(CSV_EXTENSIONS):
            self._raw, self._close = _csv_sheets(stream)
        elif lower.endswith(OPENPYXL_EXTENSIONS):
            self._raw, self._close = _openpyxl_sheets(stream)
        elif lower.endswith(CALAMINE_EXTENSIONS):
            self._raw, self._close = _calamine_sheets(stream)
        else:
            raise SpreadsheetRefused("upload an .xlsx or .csv file")
        self._sheets: list[Sheet] | None = None

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._close()

    def _raw_rows(self, name: str) -> Iterator:
        try:
            yield from dict(self._raw)[name]()
        except ApplicationError:
            raise
        except Exception as error:  # a damaged sheet part: say so rather than fail somewhere deep in a step
            raise SpreadsheetRefused(f"sheet {name!r} could not be read") from error

    def _header(self, name: str) -> Sheet | None:
        """The first row (of the first HEADER_SEARCH_ROWS) naming at least two known columns; a sheet named like
        "Projects" / "Deliverables" is taken as that kind, otherwise the header decides."""
        hint = sheet_kind(name)
        for index, cells in enumerate(self._raw_rows(name)):
            if index >= HEADER_SEARCH_ROWS:
                return None
            for kind in [hint] if hint else [PROJECTS, DELIVERABLES]:
                if recognised_count(kind, cells) >= 2:
                    headers = [str(cell).strip() if cell is not None else "" for cell in cells]
                    return Sheet(kind=kind, name=name, header_row=index + 1, headers=headers)
        return None

    def sheets(self) -> list[Sheet]:
        """The projects sheet first, then the deliverables sheet when there is one. Sheets with no recognisable
        header row (a cover sheet, a pivot) are left out; of two sheets of one kind the first is taken."""
        if self._sheets is None:
            found: dict[str, Sheet] = {}
            for name, _rows in self._raw:
                sheet = self._header(name)
                if sheet is not None and sheet.kind not in found:
                    found[sheet.kind] = sheet
            if not found:
                raise SpreadsheetRefused(
                    "no header row found: the first rows should name the columns (e.g. OMG Job Number)"
                )
            self._sheets = [found[kind] for kind in (PROJECTS, DELIVERABLES) if kind in found]
        return self._sheets

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list]]:
        """`(Excel row number, cells)` for each non-blank row under the header. A sheet with more data rows than
        SPREADSHEET_IMPORT_MAX_ROWS is refused when the reading passes the limit."""
        limit, count = settings.SPREADSHEET_IMPORT_MAX_ROWS, 0
        for number, cells in enumerate(self._raw_rows(sheet.name), start=1):
            if number <= sheet.header_row or _is_blank(cells):
                continue
            count += 1
            if count > limit:
                _check_rows(sheet.name, count)
            yield number, list(cells)


def count_rows(book: Workbook) -> dict[str, int]:
    """`{kind: data rows}`: reads every sheet once, which also refuses a sheet over the row limit up front."""
    return {sheet.kind: sum(1 for _row in book.rows(sheet)) for sheet in book.sheets()}
