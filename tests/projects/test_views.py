import pytest
from django.urls import reverse
from django.utils import timezone

from briefs.services import brief_promote
from deliverables.models import Deliverable, Stage
from deliverables.services import deliverable_complete_stage
from projects.models import Project
from tests.factories import BriefFactory, ClientTeamFactory, ProjectFactory, make_deliverable

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def test_projects_list_shows_projects_with_badges(client, producer):
    ProjectFactory(name="Spring campaign", priority="URGENT", status=Project.Status.ACTIVE)
    client.force_login(producer)
    body = _body(client.get(reverse("projects:list")))
    assert "Spring campaign" in body
    assert "badge-URGENT" in body and "badge-ACTIVE" in body


def test_projects_list_empty_state(client, producer):
    client.force_login(producer)
    assert "No projects yet" in _body(client.get(reverse("projects:list")))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "ON_HOLD"}, "Held"),
        ({"priority": "HIGH"}, "High one"),
        ({"q": "omg-4242"}, "By OMG"),
        ({"q": "PRJ-CODE-9"}, "By code"),
        ({"q": "needle"}, "Name with needle"),
        ({"due": "overdue"}, "Late"),
        ({"due": "week"}, "This week"),
    ],
)
def test_projects_list_filters(client, producer, params, expected):
    today = timezone.localdate()
    ProjectFactory(name="Held", status=Project.Status.ON_HOLD)
    ProjectFactory(name="High one", priority="HIGH")
    ProjectFactory(name="By OMG", omg_job_number="OMG-4242")
    ProjectFactory(name="By code", project_code="PRJ-CODE-9")
    ProjectFactory(name="Name with needle")
    ProjectFactory(name="Late", due_date=today - timezone.timedelta(days=1))
    ProjectFactory(name="Late but done", due_date=today - timezone.timedelta(days=1), status="COMPLETED")
    ProjectFactory(name="This week", due_date=today)
    ProjectFactory(name="Far away", due_date=today + timezone.timedelta(days=30))
    client.force_login(producer)
    body = _body(client.get(reverse("projects:list"), params))
    assert expected in body
    assert "Far away" not in body
    if params.get("due") == "overdue":
        assert "Late but done" not in body


def test_projects_list_filters_by_team_and_paginates(client, producer):
    team = ClientTeamFactory()
    ProjectFactory(name="Team project", client_team=team)
    for index in range(30):
        ProjectFactory(name=f"Filler {index}")
    client.force_login(producer)
    body = _body(client.get(reverse("projects:list"), {"client_team": team.pk}))
    assert "Team project" in body and "Filler" not in body
    assert "1–25 of 31" in _body(client.get(reverse("projects:list")))


def _bulk_projects(organisation, rows: int) -> Project:
    team = ClientTeamFactory()
    Project.objects.bulk_create(
        [
            Project(organisation=organisation, project_code=f"P-{i}", name=f"Project {i}", client_team=team)
            for i in range(rows)
        ]
    )
    return Project.objects.order_by("id").first()


@pytest.mark.parametrize("rows", [10, 500])
def test_projects_list_query_count_is_constant(client, producer, django_assert_max_num_queries, rows):
    first = _bulk_projects(producer.organisation, rows)
    make_deliverable(first, "One")
    client.force_login(producer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [10, 500])
def test_project_detail_query_count_is_constant(client, producer, django_assert_max_num_queries, rows):
    project = ProjectFactory()
    first = make_deliverable(project, "Seed")
    stages = list(first.stages.order_by("order"))
    # Copy the seeded deliverable's stages onto many more deliverables without going row by row.
    deliverables = Deliverable.objects.bulk_create(
        [Deliverable(project=project, name=f"D{i}", slug=f"d{i}") for i in range(rows - 1)]
    )
    Stage.objects.bulk_create(
        [
            Stage(deliverable=d, name=s.name, slug=s.slug, order=s.order, approval_type=s.approval_type)
            for d in deliverables
            for s in stages
        ]
    )
    client.force_login(producer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert _body(response).count('class="progress"') == rows


def test_project_detail_shows_fields_progress_and_source_brief(client, producer):
    brief = BriefFactory(title="Original ask")
    project = brief_promote(
        brief=brief, actor=producer, name="From brief", omg_job_number="OMG-77", requestor="Alex", priority="HIGH"
    )
    deliverable = make_deliverable(project, "Hero banner", due_date=timezone.localdate())
    for _ in range(4):
        deliverable.refresh_from_db()
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    client.force_login(producer)
    body = _body(client.get(reverse("projects:detail", args=[project.pk])))
    assert "OMG-77" in body and "Alex" in body
    assert "4/11 · Design" in body
    assert "Original ask" in body and reverse("briefs:detail", args=[brief.pk]) in body
    assert reverse("deliverables:detail", args=[deliverable.pk]) in body


def test_edit_project_saves_through_the_service(client, producer):
    project = ProjectFactory(name="Old name")
    client.force_login(producer)
    response = client.get(reverse("projects:edit", args=[project.pk]))
    assert response.status_code == 200
    data = {
        "name": "New name",
        "status": "ON_HOLD",
        "priority": "HIGH",
        "omg_job_number": "",
        "due_date": "2031-01-02",
        "description": "**bold**",
    }
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.status, project.priority, project.omg_job_number) == (
        "New name",
        "ON_HOLD",
        "HIGH",
        None,
    )


def test_edit_project_errors_sit_next_to_fields(client, producer):
    ProjectFactory(omg_job_number="OMG-TAKEN")
    project = ProjectFactory(name="Keep me")
    client.force_login(producer)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {"name": "", "status": "BOGUS", "priority": "LOW", "omg_job_number": "OMG-TAKEN"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "status", "omg_job_number"} <= set(errors)
    assert 'id="id_name_errors"' in _body(response)
    project.refresh_from_db()
    assert project.name == "Keep me"


def test_viewer_cannot_edit_or_add(client, viewer):
    project = ProjectFactory(name="Read only")
    client.force_login(viewer)
    body = _body(client.get(reverse("projects:detail", args=[project.pk])))
    assert reverse("projects:edit", args=[project.pk]) not in body
    assert reverse("deliverables:create", args=[project.pk]) not in body
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403
    response = client.post(reverse("projects:edit", args=[project.pk]), {"name": "x", "status": "ACTIVE"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Read only"


def test_unknown_project_is_404(client, producer):
    client.force_login(producer)
    assert client.get(reverse("projects:detail", args=[999999])).status_code == 404


# --- The pipeline editor (/settings/pipelines) -----------------------------------------------------------------


def _default_template():
    from projects.models import PipelineTemplate

    return PipelineTemplate.objects.get(is_default=True)


@pytest.mark.parametrize("role_fixture", ["producer", "viewer", "reviewer"])
def test_pipeline_editor_is_for_admins_only(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    template = _default_template()
    stage = template.stages.first()
    client.force_login(user)
    assert client.get(reverse("projects:pipelines")).status_code == 403
    assert client.get(reverse("projects:pipeline_detail", args=[template.pk])).status_code == 403
    posts = [
        ("projects:pipelines", [], {"name": "Sneaky"}),
        ("projects:pipeline_rename", [template.pk], {"name": "Sneaky"}),
        ("projects:pipeline_set_default", [template.pk], {}),
        ("projects:pipeline_stage_add", [template.pk], {"name": "Sneaky", "approval_type": "NONE"}),
        ("projects:pipeline_stage_remove", [template.pk, stage.pk], {}),
        ("projects:pipeline_stage_move", [template.pk, stage.pk], {"direction": "down"}),
        ("projects:pipeline_stage_approval", [template.pk, stage.pk], {"approval_type": "FORMAL"}),
    ]
    for name, args, data in posts:
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    template.refresh_from_db()
    assert template.stages.count() == 11 and template.name != "Sneaky"


def test_admin_creates_renames_and_edits_a_pipeline(client, admin_user):
    client.force_login(admin_user)
    body = _body(client.get(reverse("projects:pipelines")))
    assert _default_template().name in body
    response = client.post(reverse("projects:pipelines"), {"name": "Social", "copy_from": _default_template().pk})
    from projects.models import PipelineTemplate

    template = PipelineTemplate.objects.get(name="Social")
    assert response["Location"] == reverse("projects:pipeline_detail", args=[template.pk])
    assert template.stages.count() == 11
    client.post(reverse("projects:pipeline_rename", args=[template.pk]), {"name": "Social media"})
    template.refresh_from_db()
    assert template.name == "Social media"
    client.post(
        reverse("projects:pipeline_stage_add", args=[template.pk]), {"name": "Legal", "approval_type": "SIMPLE"}
    )
    legal = template.stages.get(slug="legal")
    assert (legal.order, legal.approval_type) == (10, "SIMPLE")  # before Completed
    client.post(reverse("projects:pipeline_stage_move", args=[template.pk, legal.pk]), {"direction": "up"})
    legal.refresh_from_db()
    assert legal.order == 9
    client.post(reverse("projects:pipeline_stage_approval", args=[template.pk, legal.pk]), {"approval_type": "FORMAL"})
    legal.refresh_from_db()
    assert legal.approval_type == "FORMAL"
    client.post(reverse("projects:pipeline_stage_remove", args=[template.pk, legal.pk]))
    assert not template.stages.filter(slug="legal").exists()
    client.post(reverse("projects:pipeline_set_default", args=[template.pk]))
    template.refresh_from_db()
    assert template.is_default
    assert PipelineTemplate.objects.filter(is_default=True).count() == 1


def test_pipeline_forms_show_errors_next_to_fields(client, admin_user):
    client.force_login(admin_user)
    existing = _default_template()
    response = client.post(reverse("projects:pipelines"), {"name": existing.name})
    assert response.status_code == 400
    assert "already exists" in str(response.context["form"].errors["name"])
    response = client.post(
        reverse("projects:pipeline_stage_add", args=[existing.pk]), {"name": "", "approval_type": "NONE"}
    )
    assert response.status_code == 400
    assert 'id="id_name_errors"' in _body(response)
    response = client.post(
        reverse("projects:pipeline_stage_add", args=[existing.pk]),
        {"name": "x", "approval_type": "LOUD"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert _body(response).lstrip().startswith('<section class="panel" id="pipeline-stages">')


def test_pipeline_stage_change_with_htmx_returns_the_stage_table(client, admin_user):
    client.force_login(admin_user)
    template = _default_template()
    stage = template.stages.order_by("order").last()
    response = client.post(
        reverse("projects:pipeline_stage_move", args=[template.pk, stage.pk]),
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = _body(response)
    assert body.index("<strong>Completed</strong>") < body.index("<strong>Delivery</strong>")


# --- The panels other apps add to the project page ---------------------------------------------------------------


def test_project_page_renders_without_any_registered_panel(client, producer, monkeypatch):
    from projects import panels

    monkeypatch.setattr(panels, "_panels", {})
    project = ProjectFactory(name="On its own")
    make_deliverable(project, "Hidden")
    client.force_login(producer)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    body = _body(response)
    assert response.status_code == 200
    assert 'data-testid="project-fields"' in body and "On its own" in body
    assert 'id="deliverables"' not in body and "Hidden" not in body


def test_project_admin_lists_deliverables_read_only(client, admin_user):
    project = ProjectFactory()
    deliverable = make_deliverable(project, "Listed")
    client.force_login(admin_user)
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is Deliverable)
    assert inline.has_add_permission is False and inline.has_delete_permission is False
    assert inline.formset.can_delete is False
    assert set(inline.opts.readonly_fields) >= {"name", "status", "current_stage"}
    body = _body(response)
    assert "Listed" in body and reverse("admin:deliverables_deliverable_change", args=[deliverable.pk]) in body
    assert 'name="deliverables-0-name"' not in body
