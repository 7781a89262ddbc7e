import factory
from django.utils import timezone

from briefs.models import Brief
from deliverables.services import deliverable_upsert
from projects.models import PipelineStageTemplate, PipelineTemplate, Project
from projects.services import project_create
from tracker.models import ClientTeam, Organisation, User


def default_organisation() -> Organisation:
    return Organisation.objects.get(slug="default")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@studio.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.PRODUCER
    organisation = factory.LazyFunction(default_organisation)
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientTeam

    organisation = factory.LazyFunction(default_organisation)
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class BriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brief

    organisation = factory.LazyFunction(default_organisation)
    title = factory.Sequence(lambda n: f"Brief {n}")
    description = "Need 3 variants for A/B test."
    requestor_name = "Alex Smith"
    requestor_email = "alex.smith@client.example"
    requested_due_date = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))
    source = "webhook:mkto"


class PipelineTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PipelineTemplate

    organisation = factory.LazyFunction(default_organisation)
    name = factory.Sequence(lambda n: f"Pipeline {n}")


class PipelineStageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PipelineStageTemplate

    template = factory.SubFactory(PipelineTemplateFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    slug = factory.Sequence(lambda n: f"stage-{n}")
    order = factory.Sequence(int)


class ProjectFactory(factory.django.DjangoModelFactory):
    """Goes through `project_create`, as every real project does."""

    class Meta:
        model = Project

    organisation = factory.LazyFunction(default_organisation)
    name = factory.Sequence(lambda n: f"Project {n}")
    omg_job_number = factory.Sequence(lambda n: f"OMG-{10000 + n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return project_create(**kwargs)


def make_deliverable(project: Project | None = None, name: str = "Hero banner", **fields):
    deliverable, _ = deliverable_upsert(project=project or ProjectFactory(), name=name, **fields)
    return deliverable


def advance_to(deliverable, stage: str, actor):
    """Walk a deliverable through its stages (completing NONE, approving SIMPLE, passing FORMAL ones) until the
    stage whose slug or name is `stage` is current. Returns the deliverable, fresh from the database."""
    from deliverables.services import (
        deliverable_approve_stage,
        deliverable_complete_stage,
        deliverable_pass_formal_stage,
    )

    advance = {"NONE": deliverable_complete_stage, "SIMPLE": deliverable_approve_stage}
    while True:
        deliverable.refresh_from_db()
        current = deliverable.current_stage
        if stage in (current.slug, current.name):
            return deliverable
        step = advance.get(current.approval_type, deliverable_pass_formal_stage)
        step(deliverable=deliverable, stage=current, actor=actor)
