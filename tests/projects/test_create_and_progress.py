"""Projects by hand ("New project"), the "Assigned to me" filter and the progress bar that replaced "1/4 approved"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from deliverables.models import Deliverable
from projects.models import Project
from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tests.homes import at_stage, two_stage_pipeline
from tracker.models import Event, User

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def test_a_producer_creates_a_project_by_hand(client, producer):
    client.force_login(producer)
    listing = _body(client.get(reverse("projects:list")))
    assert f'href="{reverse("projects:new")}"' in listing
    form = client.get(reverse("projects:new"))
    assert form.status_code == 200 and form.context["form"]["owner"].value() == producer.pk
    response = client.post(
        reverse("projects:new"),
        {"name": "Phone job", "status": "ACTIVE", "priority": "HIGH", "omg_job_number": " OMG-555 ",
         "owner": producer.pk, "due_date": "2031-03-01", "description": "Called in by Sam."},
    )  # fmt: skip
    project = Project.objects.get(name="Phone job")
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[project.pk])
    assert (project.source, project.owner, project.omg_job_number, project.priority) == (
        "ui",
        producer,
        "OMG-555",
        "HIGH",
    )
    assert project.project_code.startswith("PRJ-")
    assert project.pipeline_template is not None  # the default pipeline, recorded at creation
    assert Event.objects.filter(name="project.created", payload__projectId=str(project.pk)).exists()


def test_project_form_errors_sit_next_to_their_fields(client, producer):
    ProjectFactory(omg_job_number="OMG-TAKEN")
    client.force_login(producer)
    response = client.post(
        reverse("projects:new"),
        {"name": "", "status": "ACTIVE", "priority": "LOW", "omg_job_number": "OMG-TAKEN"},
    )
    assert response.status_code == 400
    assert {"name", "omg_job_number"} <= set(response.context["form"].errors)
    assert 'id="id_name_errors"' in _body(response)
    response = client.post(
        reverse("projects:new"),
        {"name": "Backwards", "status": "ACTIVE", "priority": "LOW", "start_date": "2031-02-01",
         "due_date": "2031-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "before the start date" in str(response.context["form"].errors["due_date"])
    assert Project.objects.filter(name__in=["", "Backwards"]).count() == 0


def test_viewers_and_reviewers_cannot_create_projects(client, viewer, reviewer):
    for user in (viewer, reviewer):
        client.force_login(user)
        assert f'href="{reverse("projects:new")}"' not in _body(client.get(reverse("projects:list")))
        assert client.get(reverse("projects:new")).status_code == 403
        response = client.post(reverse("projects:new"), {"name": "Sneaky", "status": "ACTIVE", "priority": "LOW"})
        assert response.status_code == 403
    assert not Project.objects.filter(name="Sneaky").exists()


def test_creating_a_project_needs_the_csrf_token(producer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    response = client.post(reverse("projects:new"), {"name": "No token", "status": "ACTIVE", "priority": "LOW"})
    assert response.status_code == 403
    assert not Project.objects.filter(name="No token").exists()


def test_assigned_to_me_lists_projects_i_own_or_work_in(client, producer):
    other = UserFactory(username="otto", role=User.Role.PRODUCER)
    ProjectFactory(name="Owned", owner=producer)
    worked_in = ProjectFactory(name="Worked in", owner=other)
    make_deliverable(worked_in, "Mine", assignee=producer)
    make_deliverable(worked_in, "Also mine", assignee=producer)  # listed once, not once per deliverable
    ProjectFactory(name="Not mine", owner=other)
    client.force_login(producer)
    body = _body(client.get(reverse("projects:list") + "?assigned=me"))
    listed = re.findall(r'<td class="title"><a href="[^"]+">([^<]+)</a>', body)
    assert listed == ["Worked in", "Owned"]
    assert _body(client.get(reverse("projects:list"))).count('<td class="title">') == 3


def test_progress_bar_counts_stages_done_across_deliverables(client, producer):
    project = ProjectFactory(name="Half way", owner=producer, pipeline_template=two_stage_pipeline())
    first, second = make_deliverable(project, "A"), make_deliverable(project, "B")
    at_stage([first], "client-review")  # 2 of 3 stages done
    at_stage([second], "sign-off")  # 1 of 3
    Deliverable.objects.filter(pk=first.pk).update(status="APPROVED")
    client.force_login(producer)
    label = "3 of 6 stages done; 1 of 2 deliverables approved"
    listing = _body(client.get(reverse("projects:list")))
    assert f'aria-valuenow="50" aria-valuetext="{label}" title="{label}"' in listing
    assert "approved</td>" not in listing  # the "1/2 approved" text is gone
    page = _body(client.get(reverse("projects:detail", args=[project.pk])))
    assert f'aria-valuetext="{label}"' in page and 'style="width:50%"' in page
    empty = ProjectFactory(name="Empty")
    assert "No deliverables" in _body(client.get(reverse("projects:detail", args=[empty.pk])))
