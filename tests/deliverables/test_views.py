import pytest
from django.test import Client
from django.urls import reverse

from deliverables.models import Deliverable, Stage
from deliverables.services import deliverable_approve_stage, deliverable_complete_stage, deliverable_set_status
from tests.factories import ProjectFactory, make_deliverable

pytestmark = pytest.mark.django_db


def _advance_to(deliverable: Deliverable, slug: str, actor) -> Deliverable:
    """Complete or approve stages until the stage with `slug` is current."""
    deliverable.refresh_from_db()
    while deliverable.current_stage.slug != slug:
        stage = deliverable.current_stage
        advance = deliverable_approve_stage if stage.approval_type == "SIMPLE" else deliverable_complete_stage
        advance(deliverable=deliverable, stage=stage, actor=actor)
        deliverable.refresh_from_db()
    return deliverable


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


def test_htmx_completion_swaps_the_stages_panel(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    first = _stage(deliverable, "pipeline")
    client.force_login(producer)
    response = client.post(
        reverse("deliverables:stage_complete", args=[deliverable.pk, first.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="panel" id="stages">')
    assert "1/11 · New" in body
    assert "Pipeline marked complete." in body


def test_simple_stage_approve_records_who_and_when(client, producer, reviewer):
    deliverable = _advance_to(make_deliverable(ProjectFactory()), "internal-review", producer)
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
    deliverable = _advance_to(make_deliverable(ProjectFactory()), "client-review", producer)
    stage = _stage(deliverable, "client-review")
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert reverse("reviews:stage_panel", args=[deliverable.pk, stage.pk]) in body
    assert reverse("deliverables:stage_complete", args=[deliverable.pk, stage.pk]) not in body
    assert reverse("deliverables:stage_approve", args=[deliverable.pk, stage.pk]) not in body


@pytest.mark.parametrize("action", ["stage_complete", "stage_approve"])
def test_formal_stage_refuses_a_direct_post(client, producer, action):
    deliverable = _advance_to(make_deliverable(ProjectFactory()), "client-review", producer)
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
    assert "Mark complete" not in body and "Approve" not in body and "Set status" not in body
    for name, args in [
        ("stage_complete", [deliverable.pk, first.pk]),
        ("stage_approve", [deliverable.pk, first.pk]),
        ("set_status", [deliverable.pk]),
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


def test_set_status_goes_through_the_service_and_on_hold_freezes_stages(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    client.force_login(producer)
    client.post(reverse("deliverables:set_status", args=[deliverable.pk]), {"status": "ON_HOLD"})
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.ON_HOLD
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert "Mark complete" not in body
    assert "stages are frozen" in body


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


def test_deliverable_page_has_revisions_slot_and_box_tags(client, producer):
    deliverable = make_deliverable(ProjectFactory())
    deliverable_set_status(deliverable=deliverable, status="IN_PROGRESS")
    client.force_login(producer)
    body = client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()
    assert 'id="revisions"' in body
