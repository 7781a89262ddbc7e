import io
from datetime import date

import openpyxl
from django.urls import reverse

from tests.factories import ProjectFactory, make_deliverable


def test_a_projects_deliverables_download_as_xlsx(client, viewer):
    project = ProjectFactory(omg_job_number="OMG-7")
    make_deliverable(project, "Hero banner", due_date=date(2026, 5, 10))
    make_deliverable(project, "Mobile hero")
    make_deliverable(ProjectFactory(), "Someone else's")
    client.force_login(viewer)
    assert (
        reverse("deliverables:export", args=[project.pk])
        in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    )
    response = client.get(reverse("deliverables:export", args=[project.pk]))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][:2] == ("OMG Job Number", "Deliverable Name")
    by_name = {row[1]: row for row in rows[1:]}  # in the panel's order; only this project's
    assert sorted(by_name) == ["Hero banner", "Mobile hero"] and by_name["Hero banner"][0] == "OMG-7"
    assert by_name["Hero banner"][4].date() == date(2026, 5, 10)
    assert by_name["Hero banner"][9] == "0/11"
