import json
from pathlib import Path

import pytest

from deliverables.models import Deliverable, Transition
from projects.models import Project
from spreadsheets import services
from spreadsheets.models import SpreadsheetImport
from spreadsheets.reader import SpreadsheetRefused
from tests.factories import ProjectFactory, default_organisation
from tracker.errors import ConflictError, PermissionDeniedError
from tracker.models import Event

from .conftest import commit, dry_run, report

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "omg_week17.dry_run.json").read_text())


def _snapshot():
    return (
        sorted(Project.objects.values_list("omg_job_number", "name", "priority", "status", "due_date", "updated_at")),
        sorted(Deliverable.objects.values_list("name", "status", "priority", "updated_at")),
        Event.objects.count(),
        Transition.objects.count(),
    )


def test_the_dry_run_of_the_omg_export_is_the_expected_table(producer, workbook, django_capture_on_commit_callbacks):
    upload = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    assert upload.state == SpreadsheetImport.State.PLANNED
    assert report(upload) == EXPECTED
    assert upload.summary == {"create": 8, "update": 0, "unchanged": 0, "error": 3}


def test_a_dry_run_writes_nothing(producer, workbook, django_capture_on_commit_callbacks):
    before = _snapshot()
    dry_run(django_capture_on_commit_callbacks, workbook, producer)
    assert _snapshot() == before


def test_commit_writes_what_the_dry_run_showed_through_the_intake_services(
    producer, workbook, django_capture_on_commit_callbacks
):
    upload = commit(
        django_capture_on_commit_callbacks, dry_run(django_capture_on_commit_callbacks, workbook, producer), producer
    )
    assert upload.state == SpreadsheetImport.State.COMMITTED
    created = {row["key"] for row in report(upload) if row["result"]["action"] == "created"}
    assert created == {row["key"] for row in EXPECTED if row["action"] == "create"}
    hero = Project.objects.get(omg_job_number="OMG-1001")
    assert (hero.name, hero.priority, hero.status, hero.outputs) == ("Q2 Launch Homepage Takeover", "HIGH", "ACTIVE", 3)
    assert str(hero.due_date) == "2026-05-15" and str(hero.start_date) == "2026-04-20"  # serial and datetime cells
    assert hero.client_team.slug == "events"
    assert hero.source == "xlsx:omg_week17.xlsx"
    assert Project.objects.get(omg_job_number="OMG-1004").client_team is None  # unknown team: left unset
    variant = Deliverable.objects.get(name="Homepage desktop hero — variant A")
    assert variant.status == "IN_PROGRESS" and variant.stages.count() == 11
    transition = variant.transitions.get()
    assert (transition.source, transition.system) == ("api", "xlsx:omg_week17.xlsx")
    assert Event.objects.filter(name="project.created").count() == 4


def test_an_error_row_is_skipped_and_reported_by_its_cell(producer, workbook, django_capture_on_commit_callbacks):
    upload = commit(
        django_capture_on_commit_callbacks, dry_run(django_capture_on_commit_callbacks, workbook, producer), producer
    )
    bad = next(row for row in report(upload) if row["key"] == "OMG-1003")
    assert bad["errors"] == [
        {
            "cell": "OMG Export!F8",
            "column": "Priority",
            "message": "Unknown priority 'ASAP': use Low, Medium, High or Urgent",
        }
    ]
    assert bad["result"]["action"] == "skipped"
    assert not Project.objects.filter(omg_job_number="OMG-1003").exists()
    duplicate = next(row for row in report(upload) if row["row"] == 10)
    assert duplicate["errors"][0]["cell"] == "OMG Export!A10"
    assert Project.objects.get(omg_job_number="OMG-1001").name == "Q2 Launch Homepage Takeover"


def test_re_importing_the_same_file_changes_nothing(producer, workbook, django_capture_on_commit_callbacks):
    commit(
        django_capture_on_commit_callbacks, dry_run(django_capture_on_commit_callbacks, workbook, producer), producer
    )
    before = _snapshot()
    again = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    assert again.summary == {"create": 0, "update": 0, "unchanged": 8, "error": 3}
    again = commit(django_capture_on_commit_callbacks, again, producer)
    assert again.summary["results"] == {"unchanged": 8, "skipped": 3}
    assert _snapshot() == before


def test_an_update_shows_old_and_new_and_writes_only_that_field(producer, workbook, django_capture_on_commit_callbacks):
    organisation = default_organisation()
    ProjectFactory(organisation=organisation, omg_job_number="OMG-1002", name="Old name", priority="URGENT")
    upload = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    row = next(row for row in report(upload) if row["key"] == "OMG-1002")
    assert row["action"] == "update"
    assert row["changes"]["Project Name"] == ["Old name", "Barron's Summer Subscriptions"]
    assert "Priority" not in row["changes"]


def test_a_project_changed_after_the_dry_run_is_not_overwritten(producer, workbook, django_capture_on_commit_callbacks):
    upload = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    ProjectFactory(organisation=default_organisation(), omg_job_number="OMG-1001", name="Made meanwhile")
    upload = commit(django_capture_on_commit_callbacks, upload, producer)
    assert upload.state == SpreadsheetImport.State.PLANNED
    assert "changed since your dry run" in upload.error
    assert Project.objects.count() == 1


def test_a_commit_for_another_file_is_refused(producer, workbook, django_capture_on_commit_callbacks):
    upload = dry_run(django_capture_on_commit_callbacks, workbook, producer)
    with pytest.raises(ConflictError, match="file changed since the dry run"):
        services.spreadsheet_import_start_commit(spreadsheet_import=upload, actor=producer, sha256="0" * 64)


def test_reviewers_and_viewers_may_not_import(reviewer, viewer, workbook):
    for person in (reviewer, viewer):
        with pytest.raises(PermissionDeniedError):
            services.spreadsheet_import_upload(
                organisation=default_organisation(), actor=person, file_name="x.xlsx", content=workbook
            )


def test_a_file_over_the_limits_is_refused_up_front(producer, workbook, settings):
    settings.SPREADSHEET_IMPORT_MAX_ROWS = 5
    with pytest.raises(SpreadsheetRefused, match="limit is 5 rows"):
        services.spreadsheet_import_upload(
            organisation=default_organisation(), actor=producer, file_name="omg.xlsx", content=workbook
        )
    settings.SPREADSHEET_IMPORT_MAX_BYTES = 100
    with pytest.raises(SpreadsheetRefused, match="limit is"):
        services.spreadsheet_import_upload(
            organisation=default_organisation(), actor=producer, file_name="omg.xlsx", content=workbook
        )
    assert not SpreadsheetImport.objects.exists()


def test_a_csv_imports_like_a_workbook(producer, django_capture_on_commit_callbacks):
    content = b"Job No.,Name,Priority,Due\nOMG-7,Seven,high,15/05/2026\n,,,\nOMG-8,Eight,low,2026-06-01\n"
    upload = dry_run(django_capture_on_commit_callbacks, content, producer, file_name="jobs.csv")
    assert [row["action"] for row in report(upload)] == ["create", "create"]
    assert report(upload)[0]["changes"]["External Deadline"] == ["", "2026-05-15"]


def test_a_confirmed_mapping_is_remembered_for_the_next_file_with_those_headers(
    producer, django_capture_on_commit_callbacks
):
    first = services.spreadsheet_import_upload(
        organisation=default_organisation(),
        actor=producer,
        file_name="a.csv",
        content=b"Job No,Name,Ref\nOMG-1,One,x\n",
    )
    assert first.mapping["projects"] == {"Job No": "omg_job_number", "Name": "name"}
    with django_capture_on_commit_callbacks(execute=True):
        services.spreadsheet_import_set_mapping(
            spreadsheet_import=first,
            actor=producer,
            mapping={"projects": {"Job No": "omg_job_number", "Name": "name", "Ref": "notes"}},
        )
    second = services.spreadsheet_import_upload(
        organisation=default_organisation(),
        actor=producer,
        file_name="b.csv",
        content=b"job no.,NAME,ref\nOMG-2,Two,y\n",
    )
    assert second.mapping["projects"] == {"job no.": "omg_job_number", "NAME": "name", "ref": "notes"}
