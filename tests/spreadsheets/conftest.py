import pytest

from spreadsheets import services
from spreadsheets.models import ImportRow
from tests.factories import default_organisation

from .workbooks import omg_workbook


@pytest.fixture
def workbook() -> bytes:
    return omg_workbook()


def dry_run(capture, content: bytes, actor, file_name: str = "omg_week17.xlsx"):
    """Upload, confirm the proposed mapping, and return the import after its dry run (the eager task runs when
    the transaction commits; `capture` is pytest-django's `django_capture_on_commit_callbacks`)."""
    organisation = default_organisation()
    upload = services.spreadsheet_import_upload(
        organisation=organisation, actor=actor, file_name=file_name, content=content
    )
    with capture(execute=True):
        services.spreadsheet_import_set_mapping(spreadsheet_import=upload, actor=actor, mapping=upload.mapping)
    upload.refresh_from_db()
    return upload


def commit(capture, spreadsheet_import, actor):
    with capture(execute=True):
        services.spreadsheet_import_start_commit(
            spreadsheet_import=spreadsheet_import, actor=actor, sha256=spreadsheet_import.sha256
        )
    spreadsheet_import.refresh_from_db()
    return spreadsheet_import


def report(spreadsheet_import) -> list[dict]:
    """The import's per-row report as one list (fine for the small files tests use)."""
    return [row.as_json() for row in ImportRow.objects.filter(spreadsheet_import=spreadsheet_import)]
