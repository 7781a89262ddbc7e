"""Reads for the import pages."""

from django.db.models import QuerySet

from tracker.errors import NotFoundError
from tracker.models import Organisation

from .models import ImportRow, SpreadsheetImport


def spreadsheet_import_list(*, organisation: Organisation) -> QuerySet[SpreadsheetImport]:
    """The organisation's imports, newest first."""
    return SpreadsheetImport.objects.filter(organisation=organisation).select_related("created_by")


def spreadsheet_import_detail(*, organisation: Organisation, pk: int) -> SpreadsheetImport:
    try:
        return SpreadsheetImport.objects.select_related("organisation", "created_by").get(
            organisation=organisation, pk=pk
        )
    except SpreadsheetImport.DoesNotExist as error:
        raise NotFoundError("import not found") from error


def spreadsheet_import_progress(*, organisation: Organisation, pk: int) -> SpreadsheetImport:
    """Only what the progress bar needs: polled every second while a step runs."""
    try:
        return SpreadsheetImport.objects.only(
            "pk", "state", "done_rows", "total_rows", "error", "attempt", "updated_at"
        ).get(organisation=organisation, pk=pk)
    except SpreadsheetImport.DoesNotExist as error:
        raise NotFoundError("import not found") from error


def spreadsheet_import_rows(*, organisation: Organisation, spreadsheet_import: SpreadsheetImport, action: str = ""):
    """An import's per-row report in file order (a page of it is read at a time), optionally only one action's
    rows. The values a commit writes are left out: the table never shows them."""
    rows = ImportRow.objects.filter(
        spreadsheet_import=spreadsheet_import, spreadsheet_import__organisation=organisation
    ).defer("values")
    return rows.filter(action=action) if action else rows
