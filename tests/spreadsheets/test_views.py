import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Project
from spreadsheets.models import SpreadsheetImport


def _upload(client, content: bytes, name: str = "omg_week17.xlsx"):
    return client.post(reverse("spreadsheets:start"), {"file": SimpleUploadedFile(name, content)})


def _mapping_post(spreadsheet_import) -> dict:
    data = {}
    for kind, headers in spreadsheet_import.headers.items():
        for index, header in enumerate(headers):
            if header:
                data[f"{kind}-{index}"] = spreadsheet_import.mapping[kind].get(header, "")
    return data


def _xlsx(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_upload_map_dry_run_commit_and_download_the_report(
    client, producer, workbook, django_capture_on_commit_callbacks
):
    client.force_login(producer)
    response = _upload(client, workbook)
    spreadsheet_import = SpreadsheetImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "spreadsheets:detail", args=[spreadsheet_import.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Run the dry run" in page and "OMG #" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:mapping", args=[spreadsheet_import.pk]), _mapping_post(spreadsheet_import))
    page = client.get(reverse("spreadsheets:detail", args=[spreadsheet_import.pk])).content.decode()
    assert "Dry run — nothing has been written yet" in page
    assert "OMG Export!F8" in page and "Unknown priority" in page
    # The words people know, not the stored codes: "Will create", priority "High", status "Active".
    assert (
        "Will create" in page
        and "<strong>Priority</strong>: High" in page
        and "<strong>Status</strong>: Active" in page
    )
    assert not any(code in page for code in ("HIGH", "ACTIVE", "IN_PROGRESS", ">create<"))
    assert not Project.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("spreadsheets:commit", args=[spreadsheet_import.pk]), {"sha256": spreadsheet_import.sha256}
        )
    assert Project.objects.count() == 4
    report = _xlsx(client.get(reverse("spreadsheets:report", args=[spreadsheet_import.pk])))
    projects = list(report["OMG Export"].iter_rows(values_only=True))
    assert projects[0][-1] == "Import result"
    assert projects[1][-1] == "Created"
    assert projects[3][-1].startswith("Skipped — OMG Export!F8: Unknown priority")


def test_a_stale_commit_is_refused_on_the_page(client, producer, workbook, django_capture_on_commit_callbacks):
    client.force_login(producer)
    _upload(client, workbook)
    spreadsheet_import = SpreadsheetImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:mapping", args=[spreadsheet_import.pk]), _mapping_post(spreadsheet_import))
    response = client.post(
        reverse("spreadsheets:commit", args=[spreadsheet_import.pk]), {"sha256": "stale"}, follow=True
    )
    assert "The file changed since the dry run" in response.content.decode()
    assert not Project.objects.exists()


def test_a_mapping_without_the_job_number_is_refused(client, producer, workbook):
    client.force_login(producer)
    _upload(client, workbook)
    spreadsheet_import = SpreadsheetImport.objects.get()
    data = {
        key: ("" if value == "omg_job_number" else value) for key, value in _mapping_post(spreadsheet_import).items()
    }
    response = client.post(reverse("spreadsheets:mapping", args=[spreadsheet_import.pk]), data)
    assert response.status_code == 400
    assert "Choose the column that holds OMG Job Number" in response.content.decode()


def test_an_unreadable_file_is_refused_with_a_message(client, producer):
    client.force_login(producer)
    response = _upload(client, b"not a spreadsheet", name="notes.txt")
    assert response.status_code == 400
    assert "Upload an .xlsx or .csv file." in response.content.decode()


def test_progress_is_polled_while_a_step_runs_and_reloads_when_done(client, producer, workbook):
    client.force_login(producer)
    _upload(client, workbook)
    spreadsheet_import = SpreadsheetImport.objects.get()
    SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(state="planning", done_rows=5, total_rows=10)
    response = client.get(reverse("spreadsheets:progress", args=[spreadsheet_import.pk]))
    assert 'hx-trigger="every 1s"' in response.content.decode() and 'value="50"' in response.content.decode()
    SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(state="planned")
    response = client.get(reverse("spreadsheets:progress", args=[spreadsheet_import.pk]))
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


@pytest.mark.parametrize("name", ["start", "template"])
def test_reviewers_and_viewers_get_403(client, reviewer, viewer, name):
    for person in (reviewer, viewer):
        client.force_login(person)
        assert client.get(reverse(f"spreadsheets:{name}")).status_code == 403


def test_the_template_has_both_sheets_with_the_import_headers(client, producer):
    client.force_login(producer)
    book = _xlsx(client.get(reverse("spreadsheets:template")))
    assert book.sheetnames == ["Projects", "Deliverables"]
    assert next(book["Projects"].iter_rows(values_only=True))[0] == "OMG Job Number"


def test_another_organisations_import_is_not_found(client, producer, admin_user, workbook):
    from tests.factories import UserFactory
    from tracker.models import Organisation

    other = UserFactory(organisation=Organisation.objects.create(name="Other", slug="other"), role="PRODUCER")
    client.force_login(producer)
    _upload(client, workbook)
    client.force_login(other)
    assert client.get(reverse("spreadsheets:detail", args=[SpreadsheetImport.objects.get().pk])).status_code == 404


def test_the_sidebar_offers_import_only_to_those_who_may_import(client, producer, viewer):
    client.force_login(producer)
    assert reverse("spreadsheets:start") in client.get(reverse("projects:list")).content.decode()
    client.force_login(viewer)
    assert reverse("spreadsheets:start") not in client.get(reverse("projects:list")).content.decode()
