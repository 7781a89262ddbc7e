"""Reading streams row by row, and the dry run and commit work a chunk of rows at a time with the same result."""

import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from projects.models import Project
from spreadsheets import steps
from spreadsheets.reader import SpreadsheetRefused, Workbook, count_rows

from .conftest import commit, dry_run, report

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "omg_week17.dry_run.json").read_text())


def _xlsx(rows: list[list]) -> bytes:
    book = OpenpyxlWorkbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _lying_dimension(content: bytes) -> bytes:
    """The sheet claims to be A1:A1, as some exporters write it."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    return out.getvalue()


def test_rows_stream_with_their_excel_numbers_blank_rows_left_out_and_dates_as_dates():
    content = _lying_dimension(
        _xlsx(
            [
                ["Weekly export"],
                [],
                ["OMG #", "Project Name", "Due"],
                ["OMG-1", "One", datetime(2026, 5, 15)],
                [None, "  ", None],
                ["OMG-2", "Two"],
            ]
        )
    )
    with Workbook(io.BytesIO(content), "week.xlsx") as book:
        (sheet,) = book.sheets()
        rows = list(book.rows(sheet))
    assert (sheet.kind, sheet.header_row, sheet.headers) == ("projects", 3, ["OMG #", "Project Name", "Due"])
    assert [number for number, _cells in rows] == [4, 6]  # read past the <dimension>, which says A1
    assert rows[0][1][2].date() == date(2026, 5, 15)
    assert rows[1][1] == ["OMG-2", "Two"]  # a short row is as long as its last cell; the planner pads it


def test_a_csv_in_excels_windows_encoding_is_read():
    content = "OMG #,Project Name\nOMG-1,Café brief\n".encode("cp1252")
    with Workbook(io.BytesIO(content), "jobs.csv") as book:
        (sheet,) = book.sheets()
        assert list(book.rows(sheet)) == [(2, ["OMG-1", "Café brief"])]


def test_the_row_limit_is_counted_as_the_sheet_streams(settings):
    settings.SPREADSHEET_IMPORT_MAX_ROWS = 3
    content = ("OMG #,Project Name\n" + "".join(f"OMG-{i},Job {i}\n,\n" for i in range(4))).encode()
    with Workbook(io.BytesIO(content), "jobs.csv") as book, pytest.raises(SpreadsheetRefused, match="more than 3 rows"):
        count_rows(book)
    settings.SPREADSHEET_IMPORT_MAX_ROWS = 4  # blank rows do not count
    with Workbook(io.BytesIO(content), "jobs.csv") as book:
        assert count_rows(book) == {"projects": 4}


def test_a_damaged_workbook_is_refused():
    with pytest.raises(SpreadsheetRefused, match="could not be read"):
        Workbook(io.BytesIO(b"PK\x03\x04 not really a zip"), "broken.xlsx")


def test_in_chunks_of_two_rows_the_dry_run_and_commit_are_the_same(
    producer, workbook, django_capture_on_commit_callbacks, monkeypatch
):
    """Duplicates found across chunks, deliverables of projects created in an earlier chunk: a chunk asks the
    stored rows what the chunks before it decided, and gets the answer one big chunk would."""
    monkeypatch.setattr(steps, "CHUNK", 2)
    upload = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    assert report(upload) == EXPECTED
    upload = commit(django_capture_on_commit_callbacks, upload, producer)
    assert upload.summary["results"] == {"created": 8, "skipped": 3}
    assert Project.objects.count() == 4
