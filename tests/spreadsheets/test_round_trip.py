import io
from datetime import date

import openpyxl
from django.urls import reverse

from projects.models import Project
from tests.factories import ClientTeamFactory, ProjectFactory, default_organisation
from tracker.models import Event

from .conftest import commit, dry_run, report


def test_the_projects_export_re_imports_without_changing_anything(client, producer, django_capture_on_commit_callbacks):
    organisation = default_organisation()
    team = ClientTeamFactory(organisation=organisation, name="Studio North", slug="studio-north")
    ProjectFactory(
        organisation=organisation, omg_job_number="OMG-1", name="Alpha", client_team=team, priority="URGENT",
        status="COMPLETED", due_date=date(2026, 5, 15), start_date=date(2026, 4, 1), outputs=3, notes="Two\nlines",
        business_unit="Display", client="Dow Jones", requestor="a@example.com",
    )  # fmt: skip
    ProjectFactory(organisation=organisation, omg_job_number="OMG-2", name="Beta", status="ON_HOLD", priority="LOW")
    client.force_login(producer)
    response = client.get(reverse("projects:export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    before = sorted(Project.objects.values_list("omg_job_number", "name", "updated_at"))
    events = Event.objects.count()
    upload = dry_run(django_capture_on_commit_callbacks, content, producer, file_name="projects.xlsx")
    assert upload.summary == {"create": 0, "update": 0, "unchanged": 2, "error": 0}, report(upload)
    commit(django_capture_on_commit_callbacks, upload, producer)
    assert sorted(Project.objects.values_list("omg_job_number", "name", "updated_at")) == before
    assert Event.objects.count() == events


def test_the_projects_export_holds_exactly_the_filtered_rows_with_real_dates(client, producer):
    organisation = default_organisation()
    ProjectFactory(
        organisation=organisation, omg_job_number="OMG-1", name="Alpha", status="ACTIVE", due_date=date(2026, 5, 15)
    )
    ProjectFactory(organisation=organisation, omg_job_number="OMG-2", name="Beta", status="ON_HOLD")
    client.force_login(producer)
    response = client.get(reverse("projects:export"), {"status": "ACTIVE"})
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("OMG Job Number", "Project Code", "Project Name")
    assert [row[0] for row in rows[1:]] == ["OMG-1"]
    assert sheet.freeze_panes == "A2"
    assert rows[1][10].date() == date(2026, 5, 15)
