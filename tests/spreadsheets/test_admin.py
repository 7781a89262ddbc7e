from django.urls import reverse

from spreadsheets.models import SpreadsheetImport

from .conftest import dry_run


def test_admin_lists_imports_read_only(client, admin_user, producer, workbook, django_capture_on_commit_callbacks):
    spreadsheet_import = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    client.force_login(admin_user)
    assert client.get(reverse("admin:spreadsheets_spreadsheetimport_changelist")).status_code == 200
    page = client.get(reverse("admin:spreadsheets_spreadsheetimport_change", args=[spreadsheet_import.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:spreadsheets_spreadsheetimport_add")).status_code == 403
    assert SpreadsheetImport.objects.count() == 1
