"""Imports are records: written only by the import services, so admin shows them read-only."""

from django.contrib import admin

from tracker.admin_services import ReadOnlyAdmin

from .models import ColumnMapping, SpreadsheetImport


@admin.register(SpreadsheetImport)
class SpreadsheetImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "organisation", "state", "total_rows", "created_by", "created_at", "committed_at")
    list_filter = ("state", "organisation")
    search_fields = ("file_name", "sha256")
    # Its rows (thousands of them) are not shown here: the import page and its XLSX report show them.


@admin.register(ColumnMapping)
class ColumnMappingAdmin(ReadOnlyAdmin):
    list_display = ("kind", "organisation", "headers_key", "updated_at")
    list_filter = ("kind", "organisation")
