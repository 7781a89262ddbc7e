import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliverables.models import Deliverable, Stage
from deliverables.services import deliverable_set_by_upstream
from projects.models import ApprovalType
from reviews.services import revision_upload
from tests.factories import (
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    advance_to,
    make_deliverable,
)

pytestmark = pytest.mark.django_db


def _stage(deliverable: Deliverable, slug: str) -> Stage:
    return deliverable.stages.get(slug=slug)


def test_stage_rows_in_order_with_current_highlighted(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    names = [s.name for s in deliverable.stages.order_by("order")]
    positions = [body.index(f"<strong>{name}</strong>") for name in names]
    assert positions == sorted(positions)
    assert 'class="current" data-stage="pipeline"' in body
    assert "0/11 · Pipeline" in body


def test_none_stage_shows_mark_complete_and_completes(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    first = _stage(deliverable, "pipeline")
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert reverse("deliverables:stage_complete", args=[deliverable.pk, first.pk]) in body
    response = client.post(reverse("deliverables:stage_complete", args=[deliverable.pk, first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    deliverable.refresh_from_db()
    assert first.status == Stage.Status.DONE and first.completed_by == producer
    assert deliverable.current_stage.slug == "new"
    assert deliverable.status == Deliverable.Status.IN_PROGRESS


def test_htmx_completion_re_renders_every_part_of_the_page_that_changed(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    first = _stage(deliverable, "pipeline")
    client.force_login(producer)
    response = client.post(
        reverse("deliverables:stage_complete", args=[deliverable.pk, first.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="deliverable-page">')
    assert "<html" not in body  # a fragment: the page body, not a second page
    assert "1/11 · New" in body
    assert "Pipeline marked complete." in body
    assert '<span class="badge badge-IN_PROGRESS">In progress</span>' in body  # the header badge
    assert 'data-testid="hold-form"' in body  # the status control for the new status
    assert 'data-intent="complete"' in body  # the history's new step
    assert 'data-testid="reopen-pipeline"' in body  # the completion can be undone


def test_simple_stage_approve_records_who_and_when(client, producer, reviewer):
    deliverable = advance_to(make_deliverable(ProjectFactory()), "internal-review", producer)
    stage = _stage(deliverable, "internal-review")
    client.force_login(reviewer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert reverse("deliverables:stage_approve", args=[deliverable.pk, stage.pk]) in body
    assert reverse("deliverables:stage_complete", args=[deliverable.pk, stage.pk]) not in body
    client.post(reverse("deliverables:stage_approve", args=[deliverable.pk, stage.pk]))
    stage.refresh_from_db()
    assert stage.status == Stage.Status.DONE
    assert stage.completed_by == reviewer and stage.completed_at is not None


def test_formal_stage_links_to_its_review_panel_and_has_no_complete_button(client, producer):
    deliverable = advance_to(make_deliverable(ProjectFactory()), "client-review", producer)
    stage = _stage(deliverable, "client-review")
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert reverse("reviews:stage_panel", args=[deliverable.pk, stage.pk]) in body
    assert reverse("deliverables:stage_complete", args=[deliverable.pk, stage.pk]) not in body
    assert reverse("deliverables:stage_approve", args=[deliverable.pk, stage.pk]) not in body


@pytest.mark.parametrize("action", ["stage_complete", "stage_approve"])
def test_formal_stage_refuses_a_direct_post(client, producer, action):
    deliverable = advance_to(make_deliverable(ProjectFactory()), "client-review", producer)
    stage = _stage(deliverable, "client-review")
    client.force_login(producer)
    response = client.post(reverse(f"deliverables:{action}", args=[deliverable.pk, stage.pk]), follow=True)
    stage.refresh_from_db()
    assert stage.status == Stage.Status.ACTIVE
    assert "formal review session" in response.content.decode()


def test_viewer_sees_no_controls_and_gets_403_posting(client, viewer, producer):
    deliverable = make_deliverable(ProjectFactory())
    first = _stage(deliverable, "pipeline")
    client.force_login(viewer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert "Mark complete" not in body and ">Approve<" not in body and "Put on hold" not in body
    for name, args in [
        ("stage_complete", [deliverable.pk, first.pk]),
        ("stage_approve", [deliverable.pk, first.pk]),
        ("stage_reopen", [deliverable.pk, first.pk]),
        ("hold", [deliverable.pk]),
        ("release", [deliverable.pk]),
        ("edit", [deliverable.pk]),
        ("create", [deliverable.project_id]),
    ]:
        assert client.post(reverse(f"deliverables:{name}", args=args), {"status": "ON_HOLD"}).status_code == 403
    first.refresh_from_db()
    assert first.status == Stage.Status.ACTIVE


def test_reviewer_may_approve_but_not_complete(client, reviewer):
    deliverable = make_deliverable(ProjectFactory())
    first = _stage(deliverable, "pipeline")
    client.force_login(reviewer)
    assert client.post(reverse("deliverables:stage_complete", args=[deliverable.pk, first.pk])).status_code == 403


def test_hold_freezes_stages_and_release_returns_to_the_status_before(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    client.force_login(producer)
    client.post(reverse("deliverables:hold", args=[deliverable.pk]), {"note": "Client paused the campaign"})
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.ON_HOLD
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert "Mark complete" not in body
    assert "stages are frozen" in body
    assert "Client paused the campaign" in body  # the history shows the note
    client.post(reverse("deliverables:release", args=[deliverable.pk]))
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.NOT_STARTED


def test_edit_deliverable_and_errors(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    client.force_login(producer)
    response = client.post(reverse("deliverables:edit", args=[deliverable.pk]), {"priority": "NOPE"})
    assert response.status_code == 400
    assert 'id="id_priority_errors"' in response.content.decode()
    client.post(
        reverse("deliverables:edit", args=[deliverable.pk]),
        {"priority": "URGENT", "due_date": "2031-03-04", "cmf_sku": "SKU-1", "asset_count": "3"},
    )
    deliverable.refresh_from_db()
    assert (deliverable.priority, str(deliverable.due_date), deliverable.cmf_sku, deliverable.asset_count) == (
        "URGENT",
        "2031-03-04",
        "SKU-1",
        3,
    )


def test_add_deliverable_copies_the_pipeline(client, producer):
    project = ProjectFactory()
    client.force_login(producer)
    response = client.post(
        reverse("deliverables:create", args=[project.pk]), {"name": "Hero banner", "priority": "HIGH"}
    )
    assert response.status_code == 302
    deliverable = project.deliverables.get(name="Hero banner")
    assert deliverable.stages.count() == 11
    assert deliverable.priority == "HIGH"


def test_add_deliverable_duplicate_name_error_is_on_the_field(client, producer):
    project = ProjectFactory()
    make_deliverable(project, "Hero banner")
    client.force_login(producer)
    response = client.post(
        reverse("deliverables:create", args=[project.pk]), {"name": "Hero banner", "priority": "HIGH"}
    )
    assert response.status_code == 400
    assert "already exists" in str(response.context["deliverable_form"].errors["name"])
    response = client.post(
        reverse("deliverables:create", args=[project.pk]), {"name": "", "priority": "HIGH"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert 'id="id_name_errors"' in response.content.decode()
    assert project.deliverables.count() == 1


def test_add_deliverable_with_htmx_returns_the_table(client, producer):
    project = ProjectFactory()
    client.force_login(producer)
    response = client.post(
        reverse("deliverables:create", args=[project.pk]), {"name": "Banner", "priority": "LOW"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="panel" id="deliverables">')
    assert "0/11 · Pipeline" in body


def test_stage_posts_need_csrf(producer):
    deliverable = make_deliverable(ProjectFactory())
    first = _stage(deliverable, "pipeline")
    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    assert client.post(reverse("deliverables:stage_complete", args=[deliverable.pk, first.pk])).status_code == 403


def test_deliverable_page_shows_the_panels_reviews_and_box_register(client, producer):
    deliverable = advance_to(make_deliverable(ProjectFactory()), "client-review", producer)
    final = _stage(deliverable, "final-approval")
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert '<div id="revisions">' in body and 'data-testid="revisions-panel"' in body
    assert 'data-testid="box-push-panel"' in body
    assert body.count('data-testid="review-panel-link"') == 2  # Client Review and Final Approval
    assert reverse("reviews:stage_panel", args=[deliverable.pk, final.pk]) in body
    assert 'data-testid="box-send"' not in body  # nothing approved to send yet

    revision_upload(deliverable=deliverable, file=ContentFile(b"%PDF-1.4\n", name="hero.pdf"), actor=producer)
    deliverable_set_by_upstream(deliverable=deliverable, status="APPROVED", source="api", system="OMG sync")
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert body.count('data-testid="box-send"') == 1  # on the approval stage only
    assert body.index('data-testid="stage-final-approval"') < body.index('data-testid="box-send"')


@pytest.fixture
def no_panels(monkeypatch):
    """The deliverable page with no other app's panels registered, as without reviews and Box installed."""
    from deliverables import panels

    monkeypatch.setattr(panels, "_panels", {slot: [] for slot in panels.SLOTS})


def test_deliverable_page_renders_its_stages_without_any_registered_panel(client, producer, no_panels):
    deliverable = advance_to(make_deliverable(ProjectFactory()), "client-review", producer)
    client.force_login(producer)
    response = client.get(reverse("deliverables:detail", args=[deliverable.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="stages-table"' in body and "6/11 · Client Review" in body
    assert 'data-testid="stage-client-review"' in body and 'data-testid="status-control"' in body
    for absent in ("revisions-panel", "box-push-panel", "review-panel-link", "box-send"):
        assert f'data-testid="{absent}"' not in body, absent
    assert 'data-testid="stage-amends"' in body


def test_unknown_slot_is_refused():
    from deliverables.panels import register_panel

    with pytest.raises(ValueError, match="unknown deliverable page slot"):
        register_panel("footer", lambda request, deliverable, stage=None: "")


def test_a_panel_that_returns_plain_text_is_escaped(client, producer, no_panels):
    from deliverables.panels import register_panel

    register_panel("side", lambda request, deliverable, stage=None: "<script>alert(1)</script>")
    deliverable = make_deliverable(ProjectFactory())
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body


def test_deliverable_page_query_count_does_not_grow_with_its_stages(client, producer, django_assert_num_queries):
    long_template = PipelineTemplateFactory(name="Long")
    for order in range(30):
        approval = ApprovalType.FORMAL if order in (10, 20) else ApprovalType.NONE
        PipelineStageTemplateFactory(
            template=long_template, name=f"Step {order}", slug=f"step-{order}", order=order, approval_type=approval
        )
    short = make_deliverable(ProjectFactory())
    long = make_deliverable(ProjectFactory(pipeline_template=long_template))
    client.force_login(producer)
    client.get(reverse("deliverables:detail", args=[short.pk]))  # warm the session and caches
    with CaptureQueriesContext(connection) as short_queries:
        assert client.get(reverse("deliverables:detail", args=[short.pk])).status_code == 200
    with django_assert_num_queries(len(short_queries.captured_queries)):
        body = client.get(reverse("deliverables:detail", args=[long.pk])).content.decode()
    assert body.count('data-testid="review-panel-link"') == 2 and 'data-testid="step-29"' not in body
    assert 'data-testid="stage-step-29"' in body
