"""Reads for the import pages."""

from django.db.models import QuerySet

from tracker.errors import NotFoundError
from tracker.models import Organisation

from .models import SpreadsheetImport


def spreadsheet_import_list(*, organisation: Organisation) -> QuerySet[SpreadsheetImport]:
    """The organisation's imports, newest first, without their (large) reports."""
    return (
        SpreadsheetImport.objects.filter(organisation=organisation)
        .select_related("created_by")
        .defer("report")
        .order_by("-created_at", "-id")
    )


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
        return SpreadsheetImport.objects.only("pk", "state", "done_rows", "total_rows", "error").get(
            organisation=organisation, pk=pk
        )
    except SpreadsheetImport.DoesNotExist as error:
        raise NotFoundError("import not found") from error
