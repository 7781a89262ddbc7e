"""The deliverables list across projects, its filters (the home page's tiles open it), and who a deliverable's
current stage waits for, shown where the work is."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliverables.selectors import deliverable_filtered, end_of_week
from projects.models import Project
from tests.factories import ProjectFactory, UserFactory, default_organisation, make_deliverable
from tests.homes import at_stage, two_stage_pipeline
from tracker.models import User

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    table = re.search(r'data-testid="deliverables-list".*?</table>', response.content.decode(), re.S)
    return re.findall(r'<td class="title"><a href="[^"]+">([^<]+)</a>', table.group(0)) if table else []


@pytest.fixture
def project(producer):
    return ProjectFactory(name="Summer", owner=producer, pipeline_template=two_stage_pipeline())


def test_end_of_week_is_sunday():
    assert end_of_week(date(2026, 5, 13)) == date(2026, 5, 17)  # a Wednesday
    assert end_of_week(date(2026, 5, 17)) == date(2026, 5, 17)


def test_due_filters_count_only_work_still_to_do(project):
    today = date(2026, 5, 13)
    make_deliverable(project, "Today", due_date=today)
    make_deliverable(project, "Sunday", due_date=date(2026, 5, 17))
    make_deliverable(project, "Next Monday", due_date=date(2026, 5, 18))
    make_deliverable(project, "Yesterday", due_date=today - timedelta(days=1))
    make_deliverable(project, "No date")
    done = make_deliverable(project, "Approved late", due_date=today - timedelta(days=5))
    type(done).objects.filter(pk=done.pk).update(status="APPROVED")
    closed = ProjectFactory(name="Closed", status=Project.Status.CANCELED)
    make_deliverable(closed, "In a cancelled project", due_date=today - timedelta(days=2))

    def found(due):
        rows = deliverable_filtered(organisation=default_organisation(), due=due, today=today)
        return sorted(rows.values_list("name", flat=True))

    assert found("week") == ["Sunday", "Today"]
    assert found("overdue") == ["Yesterday"]


def test_assigned_to_me_and_waiting_for_my_approval(client, producer, project):
    other = UserFactory(username="otto", role=User.Role.PRODUCER)
    make_deliverable(project, "Mine", assignee=producer)
    make_deliverable(project, "Theirs", assignee=other)
    waiting = make_deliverable(project, "At sign-off", assignee=other)
    at_stage([waiting], "sign-off")
    client.force_login(producer)
    assert names(client.get(reverse("deliverables:list") + "?assigned=me")) == ["Mine"]
    assert names(client.get(reverse("deliverables:list") + "?waiting=mine")) == ["At sign-off"]
    client.force_login(other)
    assert names(client.get(reverse("deliverables:list") + "?assigned=me")) == ["At sign-off", "Theirs"]
    assert names(client.get(reverse("deliverables:list") + "?waiting=mine")) == []  # producer owns the project


def test_a_deliverable_on_hold_does_not_wait_for_approval(project, producer):
    waiting = make_deliverable(project, "Held")
    at_stage([waiting], "sign-off")
    type(waiting).objects.filter(pk=waiting.pk).update(status="ON_HOLD")
    assert not deliverable_filtered(organisation=default_organisation(), waiting_for=producer).exists()


def test_the_list_shows_assignee_and_approver(client, producer, project):
    rui = UserFactory(username="rui", first_name="Rui", last_name="Costa", role=User.Role.REVIEWER)
    at_work = make_deliverable(project, "At work", assignee=rui)
    signing = make_deliverable(project, "Signing")
    at_stage([signing], "sign-off")
    reviewing = make_deliverable(project, "Reviewing")
    at_stage([reviewing], "client-review")
    client.force_login(producer)
    body = client.get(reverse("deliverables:list")).content.decode()
    rows = {
        name: row
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        for name in re.findall(r'">([^<]+)</a></td>', row)[:1]
    }
    assert "Rui Costa" in rows["At work"] and "No approval" in rows["At work"]
    assert str(producer) in rows["Signing"]
    assert "Review session" in rows["Reviewing"]
    # The same on the deliverable page and the project's deliverables panel.
    page = client.get(reverse("deliverables:detail", args=[signing.pk])).content.decode()
    assert re.search(rf'data-testid="approver"><span[^>]*>{re.escape(str(producer))}</span>', page)
    page = client.get(reverse("deliverables:detail", args=[at_work.pk])).content.decode()
    assert 'data-testid="assignee">Rui Costa<' in page
    panel = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "<th>Approver</th>" in panel and "Review session" in panel


def test_the_project_panel_filters_to_my_deliverables(client, producer, project):
    make_deliverable(project, "Mine", assignee=producer)
    make_deliverable(project, "Not mine")
    client.force_login(producer)
    url = reverse("projects:detail", args=[project.pk])
    everything = client.get(url).content.decode()
    assert "Not mine" in everything and 'data-testid="assigned-me"' in everything
    mine = client.get(url + "?assigned=me").content.decode()
    assert ">Mine<" in mine and "Not mine" not in mine and 'data-testid="assigned-all"' in mine


def test_another_organisations_deliverables_never_show(client, producer, project):
    from tracker.models import Organisation

    elsewhere = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    make_deliverable(ProjectFactory(organisation=elsewhere, name="Theirs"), "Secret")
    make_deliverable(project, "Ours")
    client.force_login(producer)
    assert names(client.get(reverse("deliverables:list"))) == ["Ours"]


def test_unknown_filters_are_ignored(client, producer, project):
    make_deliverable(project, "Ours")
    client.force_login(producer)
    response = client.get(reverse("deliverables:list") + "?due=someday&assigned=bob&waiting=x&status=NOPE")
    assert response.status_code == 200 and names(response) == ["Ours"]


def test_the_list_costs_the_same_queries_for_10_or_200_rows(client, producer, project):
    client.force_login(producer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("deliverables:list") + "?assigned=me").status_code == 200
        return len(captured)

    for i in range(10):
        make_deliverable(project, f"D{i}", assignee=producer, due_date=date(2026, 1, 1) + timedelta(days=i))
    few = queries()
    for i in range(10, 200):
        make_deliverable(project, f"D{i}", assignee=producer)
    assert queries() == few
