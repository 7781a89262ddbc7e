"""A step whose message was lost, or whose worker died, is seen as stalled and can be retried, once, safely."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project
from spreadsheets import queue, services, steps
from spreadsheets.models import ImportRow, SpreadsheetImport
from tests.factories import default_organisation
from tracker.errors import ConflictError, PermissionDeniedError

from .conftest import dry_run


def _age(spreadsheet_import, minutes: int = 10) -> None:
    """As if the step's worker had last moved it `minutes` ago."""
    SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes)
    )
    spreadsheet_import.refresh_from_db()


@pytest.fixture
def lost_broker(monkeypatch):
    """Every message sent is lost (the broker took it and then went away)."""
    sent = []
    monkeypatch.setattr(queue, "send", lambda task, pk, attempt: sent.append((task, pk, attempt)))
    return sent


def _start_commit_lost(capture, workbook, producer, lost_broker):
    upload = dry_run(capture, workbook, producer)
    upload = steps.spreadsheet_import_plan(import_id=upload.pk)  # the dry run's message, by hand
    lost_broker.clear()
    with capture(execute=True):
        services.spreadsheet_import_start_commit(spreadsheet_import=upload, actor=producer, sha256=upload.sha256)
    upload.refresh_from_db()
    assert lost_broker == [(queue.COMMIT, upload.pk, 0)] and upload.state == SpreadsheetImport.State.COMMITTING
    return upload


def test_a_lost_commit_is_stalled_once_it_stops_moving_and_the_page_offers_retry(
    client, producer, workbook, django_capture_on_commit_callbacks, monkeypatch
):
    upload = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    monkeypatch.setattr(queue, "send", lambda task, pk, attempt: None)  # the commit's message is lost
    with django_capture_on_commit_callbacks(execute=True):
        services.spreadsheet_import_start_commit(spreadsheet_import=upload, actor=producer, sha256=upload.sha256)
    upload.refresh_from_db()
    client.force_login(producer)
    progress = reverse("spreadsheets:progress", args=[upload.pk])
    assert not upload.stalled and 'data-testid="import-stalled"' not in client.get(progress).content.decode()
    _age(upload)
    assert upload.stalled
    page = client.get(progress).content.decode()
    assert 'data-testid="import-stalled"' in page and reverse("spreadsheets:retry", args=[upload.pk]) in page
    assert "csrfmiddlewaretoken" in page

    monkeypatch.undo()  # the broker is back: Retry's message arrives
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spreadsheets:retry", args=[upload.pk]))
    assert response.status_code == 302
    upload.refresh_from_db()
    assert (upload.state, upload.attempt) == (SpreadsheetImport.State.COMMITTED, 1)
    assert upload.summary["results"] == {"created": 8, "skipped": 3}
    assert Project.objects.count() == 4


def test_retry_is_for_producers_and_admins_by_post_and_only_when_stalled(
    client, producer, reviewer, workbook, django_capture_on_commit_callbacks, lost_broker
):
    upload = _start_commit_lost(django_capture_on_commit_callbacks, workbook, producer, lost_broker)
    url = reverse("spreadsheets:retry", args=[upload.pk])
    with pytest.raises(ConflictError, match="still running"):
        services.spreadsheet_import_retry(spreadsheet_import=upload, actor=producer)
    _age(upload)
    with pytest.raises(PermissionDeniedError):
        services.spreadsheet_import_retry(spreadsheet_import=upload, actor=reviewer)
    client.force_login(reviewer)
    assert client.post(url).status_code == 403
    client.force_login(producer)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)  # a double click: the first retry made it current again, the second is refused
    assert lost_broker == [(queue.COMMIT, upload.pk, 0), (queue.COMMIT, upload.pk, 1)]
    assert SpreadsheetImport.objects.get(pk=upload.pk).attempt == 1


def test_a_late_message_of_an_old_attempt_does_nothing(
    producer, workbook, django_capture_on_commit_callbacks, lost_broker
):
    upload = _start_commit_lost(django_capture_on_commit_callbacks, workbook, producer, lost_broker)
    _age(upload)
    services.spreadsheet_import_retry(spreadsheet_import=upload, actor=producer)
    steps.spreadsheet_import_commit(import_id=upload.pk, attempt=0)  # the lost message turns up after all
    assert SpreadsheetImport.objects.get(pk=upload.pk).state == SpreadsheetImport.State.COMMITTING
    assert not Project.objects.exists()
    done = steps.spreadsheet_import_commit(import_id=upload.pk, attempt=1)
    assert done.state == SpreadsheetImport.State.COMMITTED and Project.objects.count() == 4


def test_a_commit_that_stopped_part_way_carries_on_without_writing_a_row_twice(
    producer, workbook, django_capture_on_commit_callbacks, lost_broker, monkeypatch
):
    upload = _start_commit_lost(django_capture_on_commit_callbacks, workbook, producer, lost_broker)
    monkeypatch.setattr(steps, "CHUNK", 2)
    save_results, chunks = steps._save_results, []

    def dies_on_the_third_chunk(rows):
        chunks.append(rows)
        if len(chunks) == 3:
            raise OSError("worker lost its database connection")
        save_results(rows)

    monkeypatch.setattr(steps, "_save_results", dies_on_the_third_chunk)
    with pytest.raises(OSError):
        steps.spreadsheet_import_commit(import_id=upload.pk, attempt=0)
    stopped = SpreadsheetImport.objects.get(pk=upload.pk)
    assert stopped.state == SpreadsheetImport.State.COMMITTING and stopped.stalled  # stopped: Retry at once
    assert "Retry carries on" in stopped.error
    # The first two chunks were written: rows 5 and 6, then 8 (an error, skipped) and 9.
    assert set(Project.objects.values_list("omg_job_number", flat=True)) == {"OMG-1001", "OMG-1002", "OMG-1004"}
    monkeypatch.setattr(steps, "_save_results", save_results)
    services.spreadsheet_import_retry(spreadsheet_import=stopped, actor=producer)
    done = steps.spreadsheet_import_commit(import_id=upload.pk, attempt=1)
    assert done.state == SpreadsheetImport.State.COMMITTED and not done.error
    assert done.summary["results"] == {"created": 8, "skipped": 3}  # the first chunks kept "created"
    assert Project.objects.count() == 4
    assert ImportRow.objects.filter(spreadsheet_import=upload, result="").count() == 0


def test_the_sweep_requeues_a_silent_step_a_few_times_but_not_one_that_failed(
    producer, workbook, django_capture_on_commit_callbacks, lost_broker, settings
):
    settings.SPREADSHEET_IMPORT_AUTO_RETRIES = 1
    upload = services.spreadsheet_import_upload(
        organisation=default_organisation(), actor=producer, file_name="omg.xlsx", content=workbook
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.spreadsheet_import_set_mapping(spreadsheet_import=upload, actor=producer, mapping=upload.mapping)
        assert services.spreadsheet_imports_requeue_stalled() == 0  # still fresh
    _age(upload)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.spreadsheet_imports_requeue_stalled() == 1
    _age(upload)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.spreadsheet_imports_requeue_stalled() == 0  # its automatic retries are spent
    assert lost_broker == [(queue.PLAN, upload.pk, 0), (queue.PLAN, upload.pk, 1)]
    assert SpreadsheetImport.objects.get(pk=upload.pk).stalled  # a person can still press Retry

    SpreadsheetImport.objects.filter(pk=upload.pk).update(attempt=0, error="the commit stopped (boom)")
    assert services.spreadsheet_imports_requeue_stalled() == 0
