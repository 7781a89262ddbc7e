from datetime import date

import pytest

from deliverables.models import Stage
from projects.models import ApprovalType, PipelineStageTemplate, PipelineTemplate
from projects.services import (
    pipeline_stage_add,
    pipeline_stage_move,
    pipeline_stage_remove,
    pipeline_stage_update,
    pipeline_template_create,
    pipeline_template_rename,
    pipeline_template_set_default,
    project_create,
    project_intake,
    project_update,
    project_upsert_by_omg,
)
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import ProjectFactory, default_organisation, make_deliverable
from tracker.errors import ApplicationError, ConflictError, PermissionDeniedError
from tracker.models import Organisation

pytestmark = pytest.mark.django_db


def _names(template: PipelineTemplate) -> list[str]:
    return list(template.stages.order_by("order").values_list("name", flat=True))


def _default() -> PipelineTemplate:
    return PipelineTemplate.objects.get(organisation=default_organisation(), is_default=True)


def test_create_empty_and_copied_templates(admin_user):
    organisation = default_organisation()
    empty = pipeline_template_create(actor=admin_user, organisation=organisation, name="  Social  ")
    assert empty.name == "Social" and not empty.is_default and empty.stages.count() == 0
    copy = pipeline_template_create(actor=admin_user, organisation=organisation, name="Print", copy_from=_default())
    assert _names(copy) == _names(_default())
    assert list(copy.stages.values_list("order", flat=True)) == list(range(11))


@pytest.mark.parametrize("name", ["", "   "])
def test_create_needs_a_name(name, admin_user):
    with pytest.raises(ApplicationError) as error:
        pipeline_template_create(actor=admin_user, organisation=default_organisation(), name=name)
    assert error.value.extra == {"field": "name"}


def test_duplicate_name_is_a_conflict_for_create_and_rename(admin_user):
    organisation = default_organisation()
    pipeline_template_create(actor=admin_user, organisation=organisation, name="Social")
    other = pipeline_template_create(actor=admin_user, organisation=organisation, name="Print")
    with pytest.raises(ConflictError):
        pipeline_template_create(actor=admin_user, organisation=organisation, name="Social")
    with pytest.raises(ConflictError):
        pipeline_template_rename(actor=admin_user, template=other, name="Social")
    assert pipeline_template_rename(actor=admin_user, template=other, name="Print & OOH").name == "Print & OOH"


def test_set_default_moves_the_flag_and_keeps_one_default(admin_user):
    organisation = default_organisation()
    old = _default()
    new = pipeline_template_create(actor=admin_user, organisation=organisation, name="Social")
    pipeline_template_set_default(actor=admin_user, template=new)
    assert list(PipelineTemplate.objects.filter(organisation=organisation, is_default=True)) == [new]
    old.refresh_from_db()
    assert not old.is_default
    assert pipeline_template_set_default(actor=admin_user, template=new).is_default  # idempotent


def test_stage_add_appends_with_unique_slug_and_gate(admin_user):
    template = pipeline_template_create(actor=admin_user, organisation=default_organisation(), name="Social")
    first = pipeline_stage_add(actor=admin_user, template=template, name="Design")
    second = pipeline_stage_add(actor=admin_user, template=template, name="Design!", approval_type=ApprovalType.FORMAL)
    assert (first.order, first.slug, first.approval_type) == (0, "design", "NONE")
    assert (second.order, second.slug, second.approval_type) == (1, "design-2", "FORMAL")
    with pytest.raises(ConflictError, match="already has a stage named 'design'"):
        pipeline_stage_add(actor=admin_user, template=template, name=" design ")
    with pytest.raises(ConflictError, match="already has a stage named 'Design'"):
        pipeline_stage_update(actor=admin_user, stage=second, name="Design")
    with pytest.raises(ApplicationError):
        pipeline_stage_add(actor=admin_user, template=template, name="Bad", approval_type="MAYBE")


def test_stage_move_and_remove_keep_orders_dense(admin_user):
    template = pipeline_template_create(actor=admin_user, organisation=default_organisation(), name="Social")
    a, b, c = (pipeline_stage_add(actor=admin_user, template=template, name=n) for n in "ABC")
    pipeline_stage_move(actor=admin_user, stage=c, direction="up")
    assert _names(template) == ["A", "C", "B"]
    pipeline_stage_move(actor=admin_user, stage=a, direction="up")  # already first: nothing moves
    pipeline_stage_move(actor=admin_user, stage=a, direction="down")
    assert _names(template) == ["C", "A", "B"]
    pipeline_stage_remove(actor=admin_user, stage=a)
    assert _names(template) == ["C", "B"]
    assert list(template.stages.order_by("order").values_list("order", flat=True)) == [0, 1]
    with pytest.raises(ApplicationError):
        pipeline_stage_move(actor=admin_user, stage=b, direction="sideways")


def test_set_approval_type_and_rename_stage(admin_user):
    template = pipeline_template_create(actor=admin_user, organisation=default_organisation(), name="Social")
    stage = pipeline_stage_add(actor=admin_user, template=template, name="Check")
    stage = pipeline_stage_update(actor=admin_user, stage=stage, approval_type=ApprovalType.SIMPLE)
    assert stage.approval_type == "SIMPLE"
    assert pipeline_stage_update(actor=admin_user, stage=stage, name="Quality check").name == "Quality check"
    with pytest.raises(ApplicationError):
        pipeline_stage_update(actor=admin_user, stage=stage, approval_type="LOUD")


def test_editing_a_template_never_rewrites_existing_deliverables(admin_user):
    template = _default()
    deliverable = make_deliverable(ProjectFactory())
    before = list(deliverable.stages.order_by("order").values_list("name", "approval_type", "order"))
    stages = list(template.stages.order_by("order"))
    pipeline_stage_update(actor=admin_user, stage=stages[0], approval_type=ApprovalType.FORMAL)
    pipeline_stage_move(actor=admin_user, stage=stages[3], direction="up")
    pipeline_stage_remove(actor=admin_user, stage=stages[5])
    pipeline_stage_add(actor=admin_user, template=template, name="Archive")
    pipeline_template_rename(actor=admin_user, template=template, name="Renamed")
    after = list(deliverable.stages.order_by("order").values_list("name", "approval_type", "order"))
    assert after == before
    assert Stage.objects.filter(deliverable=deliverable).count() == 11
    # New deliverables take the edited pipeline.
    fresh = make_deliverable(deliverable.project, "Fresh")
    assert fresh.stages.count() == 11
    assert fresh.stages.get(order=0).approval_type == "FORMAL"
    # A new stage goes before the closing "Completed" stage, never after it.
    assert list(fresh.stages.order_by("order").values_list("name", flat=True))[-2:] == ["Archive", "Completed"]


def test_a_project_cannot_be_due_before_it_starts():
    start, due = date(2026, 6, 10), date(2026, 6, 1)
    with pytest.raises(ApplicationError, match="is before the start date") as error:
        ProjectFactory(start_date=start, due_date=due)
    assert error.value.extra == {"field": "due_date"}
    project = ProjectFactory(start_date=start)
    with pytest.raises(ApplicationError, match="is before the start date"):
        project_update(project=project, due_date=due)
    assert project_update(project=project, due_date=date(2026, 6, 30)).due_date == date(2026, 6, 30)


def test_project_update_can_set_and_clear_the_omg_number():
    ProjectFactory(omg_job_number="OMG-TAKEN")
    project = ProjectFactory(omg_job_number=None)
    assert project_update(project=project, omg_job_number="OMG-NEW").omg_job_number == "OMG-NEW"
    assert project_update(project=project, omg_job_number="").omg_job_number is None
    with pytest.raises(ConflictError) as error:
        project_update(project=project, omg_job_number="OMG-TAKEN")
    assert error.value.extra == {"field": "omg_job_number"}


@pytest.mark.django_db(transaction=True)
def test_switching_the_default_concurrently_leaves_exactly_one(admin_user):
    require_postgres()
    organisation = default_organisation()
    candidates = [pipeline_template_create(actor=admin_user, organisation=organisation, name=f"T{i}") for i in range(6)]
    results = run_at_once([lambda t=t: pipeline_template_set_default(actor=admin_user, template=t) for t in candidates])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert PipelineTemplate.objects.filter(organisation=organisation, is_default=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_stage_adds_get_distinct_orders(admin_user):
    require_postgres()
    template = pipeline_template_create(actor=admin_user, organisation=default_organisation(), name="Busy")
    results = run_at_once(
        [lambda i=i: pipeline_stage_add(actor=admin_user, template=template, name=f"Stage {i}") for i in range(6)]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    orders = sorted(PipelineStageTemplate.objects.filter(template=template).values_list("order", flat=True))
    assert orders == list(range(6))


def test_upsert_by_omg_never_touches_another_organisations_project(db):
    other = Organisation.objects.create(name="Other studio", slug="other-studio")
    theirs = ProjectFactory(organisation=other, omg_job_number="OMG-SHARED", name="Theirs")
    with pytest.raises(ConflictError, match="already exists"):
        project_upsert_by_omg(
            organisation=Organisation.objects.get(slug="default"), omg_job_number="OMG-SHARED", name="Ours"
        )
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_project_intake_creates_with_create_only_fields_and_updates_without_them(db, producer):
    organisation = Organisation.objects.get(slug="default")
    project, created = project_intake(
        organisation=organisation, omg_job_number="OMG-77", name="First", create_only={"source": "rest"}
    )
    again, created_again = project_intake(
        organisation=organisation, omg_job_number="OMG-77", name="Renamed", create_only={"source": "api"}
    )
    again.refresh_from_db()
    assert created and not created_again and again.pk == project.pk
    assert (again.name, again.source) == ("Renamed", "rest")
    plain, plain_created = project_intake(organisation=organisation, name="No number")
    assert plain_created and plain.omg_job_number is None and plain.project_code.startswith("PRJ-")


def test_a_viewer_is_refused_every_project_and_pipeline_write(viewer, producer):
    project = ProjectFactory(name="Keep me")
    template = _default()
    stage = template.stages.order_by("order").first()
    writes = [
        lambda: project_create(organisation=default_organisation(), actor=viewer, name="Sneaky"),
        lambda: project_update(project=project, actor=viewer, name="Sneaky"),
        lambda: pipeline_template_create(organisation=default_organisation(), actor=viewer, name="Sneaky"),
        lambda: pipeline_template_rename(template=template, actor=viewer, name="Sneaky"),
        lambda: pipeline_template_set_default(template=template, actor=viewer),
        lambda: pipeline_stage_add(template=template, actor=viewer, name="Sneaky"),
        lambda: pipeline_stage_remove(stage=stage, actor=viewer),
        lambda: pipeline_stage_move(stage=stage, actor=viewer, direction="down"),
        lambda: pipeline_stage_update(stage=stage, actor=viewer, approval_type=ApprovalType.FORMAL),
    ]
    for write in writes:
        with pytest.raises(PermissionDeniedError):
            write()
    # A producer edits projects but not pipelines: the editor is for admins.
    with pytest.raises(PermissionDeniedError):
        pipeline_stage_add(template=template, actor=producer, name="Sneaky")
    project.refresh_from_db()
    assert project.name == "Keep me"
    assert _names(template)[0] == "Pipeline" and len(_names(template)) == 11
    assert template.name != "Sneaky" and not PipelineTemplate.objects.filter(name="Sneaky").exists()
