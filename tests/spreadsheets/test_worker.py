"""A large import through a real Celery worker on Redis: the request returns at once, the page polls progress."""

import time

import pytest
from django.urls import reverse

from projects.models import Project
from spreadsheets import services
from spreadsheets.models import SpreadsheetImport
from tests.conftest import require_postgres
from tests.factories import default_organisation

from .workbooks import large_workbook

ROWS = 2000


def wait_for_state(pk: int, state: str, seen: set, timeout: float = 240.0) -> SpreadsheetImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = SpreadsheetImport.objects.get(pk=pk)
        seen.add((current.state, current.done_rows > 0))
        if current.state == state:
            return current
        time.sleep(0.2)
    raise AssertionError(
        f"import {pk} still {current.state} ({current.done_rows}/{current.total_rows}): {current.error}"
    )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_planned_and_committed_by_the_worker_while_the_page_polls(
    client, producer, celery_worker_process
):
    require_postgres()  # the worker process must see the test database: a file or server, not SQLite in memory
    upload = services.spreadsheet_import_upload(
        organisation=default_organisation(), actor=producer, file_name="big.xlsx", content=large_workbook(ROWS)
    )
    client.force_login(producer)
    started = time.monotonic()
    response = client.post(reverse("spreadsheets:mapping", args=[upload.pk]), {"projects-0": "omg_job_number",
                           "projects-1": "name", "projects-2": "priority", "projects-3": "due_date"})  # fmt: skip
    assert response.status_code == 302 and time.monotonic() - started < 5  # the request does not wait
    page = client.get(reverse("spreadsheets:detail", args=[upload.pk])).content.decode()
    assert 'data-testid="import-progress"' in page or "Dry run" in page
    seen: set = set()
    planned = wait_for_state(upload.pk, SpreadsheetImport.State.PLANNED, seen)
    assert planned.summary == {"create": ROWS, "update": 0, "unchanged": 0, "error": 0}
    assert not Project.objects.exists()
    client.post(reverse("spreadsheets:commit", args=[upload.pk]), {"sha256": planned.sha256})
    poll = client.get(reverse("spreadsheets:progress", args=[upload.pk]))
    assert poll.status_code in (200, 204)
    committed = wait_for_state(upload.pk, SpreadsheetImport.State.COMMITTED, seen)
    assert committed.summary["results"] == {"created": ROWS}
    assert Project.objects.count() == ROWS
    assert (SpreadsheetImport.State.COMMITTING, True) in seen or committed.done_rows == ROWS
