"""A producer imports the week's OMG export in the browser: upload, columns, dry run, commit, the report."""

import io
from pathlib import Path

import openpyxl
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import Project
from tests.factories import ProjectFactory, UserFactory
from tests.spreadsheets.workbooks import omg_workbook
from tracker.models import User
from tracker.services import organisation_default


def test_producer_uploads_reviews_the_dry_run_commits_and_downloads_the_report(page, live_server, login, screenshot):
    producer = UserFactory(username="priya", first_name="Priya", last_name="Shah", role=User.Role.PRODUCER)
    # An existing job, so the dry run shows an update with old -> new.
    ProjectFactory(organisation=organisation_default(), omg_job_number="OMG-1002", name="Barron's summer subs")
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("spreadsheets:start"))
    expect(page.get_by_role("heading", name="Import projects")).to_be_visible()
    screenshot(page, "import-upload")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "omg_week17.xlsx", "mimeType": "application/octet-stream", "buffer": omg_workbook()}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and map columns").click()
    mapping = page.get_by_test_id("import-mapping")
    expect(mapping).to_contain_text("OMG #")
    expect(page.get_by_label("OMG #")).to_have_value("omg_job_number")
    expect(page.get_by_label("External Deadline")).to_have_value("due_date")
    screenshot(page, "import-mapping")

    with page.expect_navigation():
        page.get_by_role("button", name="Run the dry run").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("Dry run — nothing has been written yet")
    expect(summary).to_contain_text("7 to create · 1 to update · 0 unchanged · 3 with errors")
    rows = page.get_by_test_id("import-rows")
    expect(rows).to_contain_text("OMG Export!F8 (Priority): Unknown priority 'ASAP'")
    expect(rows).to_contain_text("Barron's summer subs → Barron's Summer Subscriptions")
    expect(rows).to_contain_text("Team 'Sales' is not a client team here")
    screenshot(page, "import-dry-run")
    assert Project.objects.count() == 1

    with page.expect_navigation():
        page.get_by_role("button", name="Commit 8 changes (skip 3 rows with errors)").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("Imported")
    expect(page.get_by_test_id("import-summary")).to_contain_text("7 created, 1 updated, 3 skipped")
    screenshot(page, "import-committed")
    assert Project.objects.count() == 4
    assert Project.objects.get(omg_job_number="OMG-1002").name == "Barron's Summer Subscriptions"

    with page.expect_download() as download:
        page.get_by_test_id("import-report").click()
    report = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(report["OMG Export"].iter_rows(values_only=True))
    assert rows[0][-1] == "Import result"
    assert [row[-1].split(" — ")[0] for row in rows[1:]] == [
        "Created",
        "Updated",
        "Skipped",
        "Created",
        "Skipped",
        "Created",
    ]
