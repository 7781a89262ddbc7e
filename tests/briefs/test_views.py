import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief
from projects.models import Project
from tests.factories import BriefFactory, ClientTeamFactory, PipelineTemplateFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> str:
    return response.content.decode()


def test_inbox_needs_sign_in(client):
    response = client.get(reverse("briefs:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_inbox_tabs_show_counts_and_pending_by_default(client, producer):
    BriefFactory.create_batch(2, title="Waiting")
    BriefFactory(title="Done deal", status=Brief.Status.ACCEPTED)
    BriefFactory(title="Nope", status=Brief.Status.REJECTED, rejection_reason="duplicate")
    client.force_login(producer)
    body = _rows(client.get(reverse("briefs:inbox")))
    assert "Waiting" in body
    assert "Done deal" not in body
    assert 'data-testid="tab-pending"' in body
    assert 'Pending<span class="count">2</span>' in body
    assert 'Accepted<span class="count">1</span>' in body
    body = _rows(client.get(reverse("briefs:inbox"), {"status": "REJECTED"}))
    assert "Nope" in body and "duplicate" in body and "Waiting" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"priority": "URGENT"}, "Urgent one"),
        ({"source": "rest"}, "From REST"),
        ({"q": "findme"}, "Search by description"),
        ({"q": "ext-777"}, "Search by external id"),
        ({"q": "ms.jones"}, "Search by requestor"),
    ],
)
def test_inbox_filters_and_search(client, producer, params, expected):
    BriefFactory(title="Urgent one", priority="URGENT")
    BriefFactory(title="From REST", source="rest")
    BriefFactory(title="Search by description", description="please findme here")
    BriefFactory(title="Search by external id", external_id="ext-777")
    BriefFactory(title="Search by requestor", requestor_email="ms.jones@client.example")
    BriefFactory(title="Noise")
    client.force_login(producer)
    body = _rows(client.get(reverse("briefs:inbox"), params))
    assert expected in body
    assert "Noise" not in body


def test_inbox_filters_by_team(client, producer):
    team = ClientTeamFactory(name="Events crew")
    BriefFactory(title="For events", client_team=team)
    BriefFactory(title="For nobody")
    client.force_login(producer)
    body = _rows(client.get(reverse("briefs:inbox"), {"client_team": team.pk}))
    assert "For events" in body and "For nobody" not in body


def test_inbox_sorts_by_due_date_and_priority(client, producer):
    now = timezone.now()
    BriefFactory(title="Later", requested_due_date=now + timezone.timedelta(days=20), priority="URGENT")
    BriefFactory(title="Sooner", requested_due_date=now + timezone.timedelta(days=2), priority="LOW")
    client.force_login(producer)
    body = _rows(client.get(reverse("briefs:inbox"), {"sort": "due"}))
    assert body.index("Sooner") < body.index("Later")
    body = _rows(client.get(reverse("briefs:inbox"), {"sort": "priority"}))
    assert body.index("Later") < body.index("Sooner")


def test_inbox_paginates(client, producer):
    BriefFactory.create_batch(30)
    client.force_login(producer)
    body = _rows(client.get(reverse("briefs:inbox")))
    assert "1–25 of 30" in body
    body = _rows(client.get(reverse("briefs:inbox"), {"page": 2}))
    assert "26–30 of 30" in body


def test_inbox_ignores_nonsense_filters(client, producer):
    BriefFactory(title="Still here")
    client.force_login(producer)
    response = client.get(reverse("briefs:inbox"), {"client_team": "abc", "sort": "drop table", "page": "x"})
    assert response.status_code == 200
    assert "Still here" in _rows(response)


@pytest.mark.parametrize("rows", [10, 500])
def test_inbox_query_count_is_constant(client, producer, django_assert_max_num_queries, rows):
    team = ClientTeamFactory()
    Brief.objects.bulk_create(
        [
            Brief(organisation=producer.organisation, title=f"Brief {i}", client_team=team, source=f"src{i % 3}")
            for i in range(rows)
        ]
    )
    client.force_login(producer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("briefs:inbox"), {"sort": "priority"})
    assert response.status_code == 200


def test_brief_detail_renders_markdown_and_strips_scripts(client, producer):
    brief = BriefFactory(
        description=(
            "## Goals\n\n**Bold** [site](https://client.example)\n\n"
            "<script>alert('x')</script>\n\n<img src=x onerror=\"alert('y')\">\n\n[bad](javascript:alert(1))"
        ),
        raw_payload={"campaign": "Spring", "nested": {"a": 1}},
    )
    client.force_login(producer)
    body = _rows(client.get(reverse("briefs:detail", args=[brief.pk])))
    assert "<h2>Goals</h2>" in body
    assert "<strong>Bold</strong>" in body
    assert 'rel="noopener noreferrer"' in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:alert" not in body
    assert "&quot;campaign&quot;: &quot;Spring&quot;" in body


def test_viewer_sees_brief_read_only(client, viewer):
    brief = BriefFactory()
    client.force_login(viewer)
    body = _rows(client.get(reverse("briefs:detail", args=[brief.pk])))
    assert reverse("briefs:promote", args=[brief.pk]) not in body
    assert reverse("briefs:reject", args=[brief.pk]) not in body


@pytest.mark.parametrize("name", ["promote", "reject", "reopen"])
def test_viewer_posting_directly_gets_403(client, viewer, name):
    brief = BriefFactory(status=Brief.Status.REJECTED if name == "reopen" else Brief.Status.PENDING)
    client.force_login(viewer)
    response = client.post(reverse(f"briefs:{name}", args=[brief.pk]), {"name": "x", "priority": "LOW", "reason": "x"})
    assert response.status_code == 403
    assert "permission" in response.content.decode().lower()
    brief.refresh_from_db()
    assert brief.converted_project is None


def test_promote_form_is_prefilled_from_the_brief(client, producer):
    team = ClientTeamFactory(name="Brand")
    brief = BriefFactory(
        title="Spring hero",
        client_team=team,
        priority="HIGH",
        requestor_name="Alex Smith",
        requestor_email="alex@client.example",
        requested_due_date=timezone.make_aware(timezone.datetime(2031, 5, 17, 12, 0)),
    )
    client.force_login(producer)
    response = client.get(reverse("briefs:promote", args=[brief.pk]))
    form = response.context["form"]
    assert form.initial["name"] == "Spring hero"
    assert form.initial["client_team"] == team.pk
    assert form.initial["priority"] == "HIGH"
    assert str(form.initial["due_date"]) == "2031-05-17"
    assert form.initial["requestor"] == "Alex Smith <alex@client.example>"
    assert form.initial["pipeline_template"] is not None  # the organisation's default pipeline


def test_promote_creates_the_project_and_lands_on_it(client, producer):
    team = ClientTeamFactory()
    template = PipelineTemplateFactory()
    brief = BriefFactory(title="Spring hero")
    client.force_login(producer)
    response = client.post(
        reverse("briefs:promote", args=[brief.pk]),
        {
            "name": "Spring hero campaign",
            "client_team": team.pk,
            "priority": "URGENT",
            "due_date": "2031-06-01",
            "requestor": "Alex",
            "pipeline_template": template.pk,
            "omg_job_number": "OMG-555",
        },
    )
    brief.refresh_from_db()
    project = brief.converted_project
    assert brief.status == Brief.Status.ACCEPTED
    assert brief.decided_by == producer
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert (project.name, project.priority, project.client_team, project.pipeline_template) == (
        "Spring hero campaign",
        "URGENT",
        team,
        template,
    )
    assert project.omg_job_number == "OMG-555"
    assert str(project.due_date) == "2031-06-01"


def test_promote_twice_makes_one_project_and_links_the_first(client, producer):
    brief = BriefFactory()
    client.force_login(producer)
    data = {"name": "Once", "priority": "MEDIUM"}
    client.post(reverse("briefs:promote", args=[brief.pk]), data)
    response = client.post(reverse("briefs:promote", args=[brief.pk]), data)
    brief.refresh_from_db()
    assert Project.objects.filter(name="Once").count() == 1
    assert response.status_code == 409
    body = response.content.decode()
    assert "already promoted" in body
    assert reverse("projects:detail", args=[brief.converted_project_id]) in body


def test_promote_shows_errors_next_to_the_field(client, producer):
    brief = BriefFactory()
    client.force_login(producer)
    response = client.post(reverse("briefs:promote", args=[brief.pk]), {"name": "", "priority": "NOPE"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_name_errors"' in body
    assert 'id="id_priority_errors"' in body
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING


def test_promote_with_a_taken_omg_number_explains_on_the_field(client, producer):
    from tests.factories import ProjectFactory

    ProjectFactory(omg_job_number="OMG-1")
    brief = BriefFactory()
    client.force_login(producer)
    response = client.post(
        reverse("briefs:promote", args=[brief.pk]), {"name": "x", "priority": "LOW", "omg_job_number": "OMG-1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["omg_job_number"]
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING


def test_reject_needs_a_reason_then_reopen(client, producer):
    brief = BriefFactory()
    client.force_login(producer)
    response = client.post(reverse("briefs:reject", args=[brief.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert 'id="id_reason_errors"' in response.content.decode()
    response = client.post(reverse("briefs:reject", args=[brief.pk]), {"reason": "Out of scope"})
    assert response.status_code == 302
    brief.refresh_from_db()
    assert (brief.status, brief.rejection_reason) == (Brief.Status.REJECTED, "Out of scope")
    client.post(reverse("briefs:reopen", args=[brief.pk]))
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING


def test_reject_with_htmx_swaps_the_triage_panel(client, producer):
    brief = BriefFactory()
    client.force_login(producer)
    response = client.post(reverse("briefs:reject", args=[brief.pk]), {"reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<section class="panel" id="triage"')
    response = client.post(reverse("briefs:reject", args=[brief.pk]), {"reason": "no"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("briefs:detail", args=[brief.pk])


def test_triage_forms_need_csrf(producer):
    brief = BriefFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    assert client.post(reverse("briefs:reject", args=[brief.pk]), {"reason": "x"}).status_code == 403
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING


def test_brief_of_another_organisation_is_not_found(client, producer):
    from tracker.models import Organisation

    other = Organisation.objects.create(name="Other", slug="other")
    brief = BriefFactory(organisation=other)
    client.force_login(producer)
    assert client.get(reverse("briefs:detail", args=[brief.pk])).status_code == 404
