import io
from datetime import UTC, date, datetime

import openpyxl

from tracker.export import write_sheets, write_xlsx, xlsx_response


def _book(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_header_row_is_bold_and_frozen_and_dates_are_dates(settings):
    settings.TIME_ZONE = "Europe/London"
    buffer = io.BytesIO()
    rows = iter([("A", date(2026, 5, 15), datetime(2026, 7, 1, 16, 0, tzinfo=UTC), 3, None)])
    write_xlsx(buffer, headers=["Name", "Due", "Received", "Count", "Empty"], rows=rows, sheet_title="List")
    sheet = _book(buffer.getvalue())["List"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["B2"].value == datetime(2026, 5, 15) and sheet["B2"].is_date
    assert sheet["C2"].value == datetime(2026, 7, 1, 17, 0)  # local time: Excel has no time zones
    assert (sheet["D2"].value, sheet["E2"].value) == (3, None)


def test_several_sheets_and_a_download_response():
    buffer = io.BytesIO()
    write_sheets(buffer, [("One", ["a"], [[1]]), ("Two", ["b"], [[2]])])
    assert _book(buffer.getvalue()).sheetnames == ["One", "Two"]
    response = xlsx_response(file_name="list", headers=["a"], rows=[[1]])
    assert response["Content-Disposition"] == 'attachment; filename="list.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _book(b"".join(response.streaming_content)).active["A2"].value == 1


def test_text_that_looks_like_a_formula_stays_text():
    buffer = io.BytesIO()
    write_xlsx(buffer, headers=["Title"], rows=[['=HYPERLINK("https://evil.example","Click")']])
    cell = _book(buffer.getvalue()).active["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("https://evil.example","Click")'
