import pytest
from django.db import IntegrityError, transaction

from briefs.models import Brief
from deliverables.models import Deliverable, Revision
from projects.models import PipelineTemplate, Project
from tests.factories import BriefFactory, ProjectFactory, make_deliverable
from tracker.models import ClientTeam, Organisation

pytestmark = pytest.mark.django_db


def test_migration_creates_default_organisation_teams_and_pipeline():
    organisation = Organisation.objects.get(slug="default")
    assert sorted(ClientTeam.objects.filter(organisation=organisation).values_list("slug", flat=True)) == sorted(
        ["brand", "events", "b2b", "content", "briefing-team", "performance"]
    )
    template = PipelineTemplate.objects.get(organisation=organisation, is_default=True)
    stages = list(template.stages.order_by("order").values_list("name", "approval_type"))
    assert stages == [
        ("Pipeline", "NONE"),
        ("New", "NONE"),
        ("Briefing", "NONE"),
        ("Concept", "NONE"),
        ("Design", "NONE"),
        ("Internal Review", "SIMPLE"),
        ("Client Review", "FORMAL"),
        ("Amends", "NONE"),
        ("Final Approval", "FORMAL"),
        ("Delivery", "NONE"),
        ("Completed", "NONE"),
    ]


def test_brief_external_id_is_unique_per_organisation():
    BriefFactory(external_id="INTAKE-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        BriefFactory(external_id="INTAKE-1")
    other = Organisation.objects.create(name="Other", slug="other")
    BriefFactory(external_id="INTAKE-1", organisation=other)
    assert Brief.objects.filter(external_id="INTAKE-1").count() == 2


def test_briefs_without_external_id_never_collide():
    BriefFactory(external_id=None)
    BriefFactory(external_id=None)
    assert Brief.objects.filter(external_id__isnull=True).count() == 2


def test_project_code_and_omg_job_number_are_unique():
    ProjectFactory(project_code="DJ-1", omg_job_number="OMG-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(organisation_id=Organisation.objects.get().pk, project_code="DJ-1", name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(
            organisation_id=Organisation.objects.get().pk, project_code="DJ-2", name="x", omg_job_number="OMG-1"
        )


def test_projects_without_omg_number_never_collide():
    ProjectFactory(omg_job_number=None)
    ProjectFactory(omg_job_number=None)
    assert Project.objects.filter(omg_job_number__isnull=True).count() == 2


def test_deliverable_name_is_unique_within_a_project_only():
    project = ProjectFactory()
    make_deliverable(project, "Hero")
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliverable.objects.create(project=project, name="Hero", slug="hero-other")
    make_deliverable(ProjectFactory(), "Hero")
    assert Deliverable.objects.filter(name="Hero").count() == 2


def test_only_one_default_pipeline_per_organisation():
    organisation = Organisation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineTemplate.objects.create(organisation=organisation, name="Second", is_default=True)


def test_revision_round_is_unique_per_deliverable():
    deliverable = make_deliverable()
    Revision.objects.create(deliverable=deliverable, round=1, file="a.png")
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(deliverable=deliverable, round=1, file="b.png")
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(deliverable=deliverable, round=0, file="c.png")
