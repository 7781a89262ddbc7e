import pytest

from deliverables.models import Deliverable, Stage
from deliverables.services import (
    deliverable_approve_stage,
    deliverable_complete_stage,
    deliverable_create,
    deliverable_hold,
    deliverable_pass_formal_stage,
    deliverable_request_changes,
    deliverable_set_by_upstream,
    deliverable_set_status_by_person,
    deliverable_update,
    deliverable_upsert,
)
from projects.models import ApprovalType
from tests.factories import (
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    advance_to,
    make_deliverable,
)
from tracker import events
from tracker.errors import ConflictError, PermissionDeniedError

pytestmark = pytest.mark.django_db


def stage_rows(deliverable):
    return list(deliverable.stages.order_by("order").values_list("name", "approval_type", "status"))


def test_new_deliverable_copies_the_default_pipeline_in_order():
    deliverable = make_deliverable()
    rows = stage_rows(deliverable)
    assert [name for name, _, _ in rows] == [
        "Pipeline", "New", "Briefing", "Concept", "Design", "Internal Review",
        "Client Review", "Amends", "Final Approval", "Delivery", "Completed",
    ]  # fmt: skip
    assert rows[5][1] == "SIMPLE" and rows[6][1] == "FORMAL" and rows[8][1] == "FORMAL"
    assert [status for _, _, status in rows] == ["ACTIVE"] + ["PENDING"] * 10
    deliverable.refresh_from_db()
    assert deliverable.current_stage.name == "Pipeline"
    assert deliverable.status == Deliverable.Status.NOT_STARTED


def test_new_deliverable_copies_its_projects_custom_template():
    template = PipelineTemplateFactory(name="Social")
    PipelineStageTemplateFactory(template=template, name="Shoot", slug="shoot", order=2)
    PipelineStageTemplateFactory(template=template, name="Brief", slug="brief", order=1)
    PipelineStageTemplateFactory(
        template=template, name="Sign-off", slug="sign-off", order=3, approval_type=ApprovalType.FORMAL
    )
    deliverable = make_deliverable(ProjectFactory(pipeline_template=template))
    assert stage_rows(deliverable) == [
        ("Brief", "NONE", "ACTIVE"),
        ("Shoot", "NONE", "PENDING"),
        ("Sign-off", "FORMAL", "PENDING"),
    ]


def test_upsert_updates_the_same_row_and_keeps_omitted_fields():
    project = ProjectFactory()
    first, created = deliverable_upsert(project=project, name="Hero", notes="v3 guidelines", cmf_sku="CMF-1")
    again, created_again = deliverable_upsert(project=project, name="Hero", notes="v4 guidelines")
    assert created and not created_again and again.pk == first.pk
    again.refresh_from_db()
    assert again.notes == "v4 guidelines" and again.cmf_sku == "CMF-1"
    assert again.stages.count() == 11  # stages only on first insert


def test_deliverables_with_names_that_slugify_alike_get_distinct_slugs():
    project = ProjectFactory()
    a = make_deliverable(project, "Hero — A")
    b = make_deliverable(project, "Hero A")
    assert a.slug == "hero-a" and b.slug == "hero-a-2"


def test_completing_stages_moves_status_and_records_who(producer):
    deliverable = make_deliverable()
    first = deliverable.current_stage
    deliverable = deliverable_complete_stage(deliverable=deliverable, stage=first, actor=producer)
    first.refresh_from_db()
    assert first.status == Stage.Status.DONE and first.completed_by == producer and first.completed_at
    assert deliverable.status == Deliverable.Status.IN_PROGRESS
    assert deliverable.current_stage.name == "New"


def test_gates_refuse_the_wrong_kind_of_completion(producer, reviewer):
    deliverable = make_deliverable()
    internal = advance_to(deliverable, "Internal Review", producer).current_stage
    with pytest.raises(ConflictError, match="needs an approval"):
        deliverable_complete_stage(deliverable=deliverable, stage=internal, actor=producer)
    deliverable_approve_stage(deliverable=deliverable, stage=internal, actor=reviewer)
    internal.refresh_from_db()
    assert internal.completed_by == reviewer
    formal = advance_to(deliverable, "Client Review", producer).current_stage
    with pytest.raises(ConflictError, match="formal review session"):
        deliverable_complete_stage(deliverable=deliverable, stage=formal, actor=producer)
    with pytest.raises(ConflictError, match="formal review session"):
        deliverable_approve_stage(deliverable=deliverable, stage=formal, actor=reviewer)


def test_only_the_current_stage_can_change(producer):
    deliverable = make_deliverable()
    later = deliverable.stages.get(name="Design")
    with pytest.raises(ConflictError, match="not the current stage"):
        deliverable_complete_stage(deliverable=deliverable, stage=later, actor=producer)


def test_on_hold_freezes_stages(producer):
    deliverable = make_deliverable()
    deliverable_hold(deliverable=deliverable, actor=producer)
    with pytest.raises(ConflictError, match="on hold"):
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)


def test_passing_the_last_formal_stage_approves_and_emits(producer, django_capture_on_commit_callbacks):
    heard = []
    handler = lambda name, payload: heard.append((name, payload["status"]))  # noqa: E731
    events.subscribe("deliverable.approved", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            deliverable = make_deliverable()
            client_review = advance_to(deliverable, "Client Review", producer).current_stage
            deliverable = deliverable_pass_formal_stage(deliverable=deliverable, stage=client_review, actor=producer)
            assert deliverable.status == Deliverable.Status.IN_PROGRESS
            final = advance_to(deliverable, "Final Approval", producer).current_stage
            deliverable = deliverable_pass_formal_stage(deliverable=deliverable, stage=final, actor=producer)
    finally:
        events.unsubscribe("deliverable.approved", handler)
    assert heard == [("deliverable.approved", "APPROVED")]
    assert deliverable.status == Deliverable.Status.APPROVED
    assert deliverable.current_stage.name == "Delivery"


def test_changes_requested_goes_to_amends_then_back_to_the_formal_stage(producer):
    deliverable = make_deliverable()
    client_review = advance_to(deliverable, "Client Review", producer).current_stage
    deliverable = deliverable_request_changes(deliverable=deliverable, stage=client_review, actor=producer)
    assert deliverable.current_stage.name == "Amends"
    assert deliverable.status == Deliverable.Status.IN_PROGRESS
    deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    deliverable.refresh_from_db()
    assert deliverable.current_stage.name == "Client Review"
    deliverable = deliverable_pass_formal_stage(
        deliverable=deliverable, stage=deliverable.current_stage, actor=producer
    )
    final = advance_to(deliverable, "Final Approval", producer).current_stage
    deliverable = deliverable_request_changes(deliverable=deliverable, stage=final, actor=producer)
    assert deliverable.current_stage.name == "Amends"
    assert deliverable.stages.get(name="Final Approval").status == Stage.Status.PENDING
    assert deliverable.stages.get(name="Client Review").status == Stage.Status.DONE


def test_status_change_emits_status_changed_and_approved_only_on_entering_approved(
    producer, django_capture_on_commit_callbacks
):
    heard = []
    handler = lambda name, payload: heard.append(name)  # noqa: E731
    deliverable = make_deliverable()
    events.subscribe(events.ALL_EVENTS, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                deliverable_set_by_upstream(
                    deliverable=deliverable, status=Deliverable.Status.APPROVED, source="api", system="OMG sync"
                )
    finally:
        events.unsubscribe(events.ALL_EVENTS, handler)
    assert heard == ["deliverable.status_changed", "deliverable.approved"]


def test_a_viewer_is_refused_every_deliverable_write(viewer, producer):
    deliverable = make_deliverable(notes="as stored")
    first = deliverable.current_stage
    internal = deliverable.stages.get(approval_type=ApprovalType.SIMPLE)
    writes = [
        lambda: deliverable_create(project=deliverable.project, name="Sneaky", actor=viewer),
        lambda: deliverable_update(deliverable=deliverable, actor=viewer, notes="Sneaky"),
        lambda: deliverable_set_status_by_person(deliverable=deliverable, status="ON_HOLD", actor=viewer),
        lambda: deliverable_complete_stage(deliverable=deliverable, stage=first, actor=viewer),
        lambda: deliverable_approve_stage(deliverable=deliverable, stage=internal, actor=viewer),
    ]
    for write in writes:
        with pytest.raises(PermissionDeniedError):
            write()
    deliverable.refresh_from_db()
    first.refresh_from_db()
    assert (deliverable.notes, deliverable.status, first.status) == ("as stored", "NOT_STARTED", "ACTIVE")
    assert not deliverable.project.deliverables.filter(name="Sneaky").exists()


def test_a_reviewer_approves_a_simple_stage_but_edits_nothing(reviewer, producer):
    deliverable = make_deliverable()
    internal = advance_to(deliverable, "Internal Review", producer).current_stage
    with pytest.raises(PermissionDeniedError):
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.stages.get(order=0), actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        deliverable_set_status_by_person(deliverable=deliverable, status="ON_HOLD", actor=reviewer)
    deliverable = deliverable_approve_stage(deliverable=deliverable, stage=internal, actor=reviewer)
    assert deliverable.current_stage.name == "Client Review"


def test_a_producer_creates_edits_and_puts_on_hold_by_name(producer):
    deliverable = deliverable_create(project=ProjectFactory(), name="Banner", actor=producer, priority="HIGH")
    assert deliverable.stages.count() == 11
    assert deliverable_update(deliverable=deliverable, actor=producer, notes="v2").notes == "v2"
    deliverable = deliverable_set_status_by_person(deliverable=deliverable, status="ON_HOLD", actor=producer)
    assert deliverable.status == Deliverable.Status.ON_HOLD
    with pytest.raises(ConflictError, match="already exists"):
        deliverable_create(project=deliverable.project, name="Banner", actor=producer)
