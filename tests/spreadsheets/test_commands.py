from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import Project

from .workbooks import omg_workbook


def test_import_projects_dry_run_prints_the_table_and_writes_nothing(db, tmp_path):
    path = tmp_path / "omg_week17.xlsx"
    path.write_bytes(omg_workbook())
    out = StringIO()
    call_command("import_projects", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "OMG Export!8\tOMG-1003\tError — OMG Export!F8: Unknown priority 'ASAP'" in text
    assert "Dry run (nothing written): 8 to create, 0 to update, 0 unchanged, 3 with errors" in text
    assert not Project.objects.exists()


def test_import_projects_commits_and_a_second_run_changes_nothing(db, tmp_path):
    path = tmp_path / "omg_week17.xlsx"
    path.write_bytes(omg_workbook())
    out = StringIO()
    call_command("import_projects", str(path), "--quiet-rows", stdout=out)
    assert "Imported: 8 created, 3 skipped." in out.getvalue()
    assert Project.objects.get(omg_job_number="OMG-1001").source == "xlsx:omg_week17.xlsx"
    out = StringIO()
    call_command("import_projects", str(path), "--quiet-rows", stdout=out)
    assert "Imported: 8 unchanged, 3 skipped." in out.getvalue()


def test_import_projects_refuses_a_file_it_cannot_read(db, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CommandError, match="upload an .xlsx or .csv file"):
        call_command("import_projects", str(path))
