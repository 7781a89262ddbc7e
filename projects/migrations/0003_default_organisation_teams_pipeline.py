"""Creates what every deployment starts with: the default organisation, its six client teams and the
default 11-stage pipeline template."""

from django.conf import settings
from django.db import migrations

# The lists live in projects/defaults.py.
from projects.defaults import CLIENT_TEAMS, DEFAULT_PIPELINE  # noqa: E402


def create_defaults(apps, schema_editor):
    Organisation = apps.get_model("tracker", "Organisation")
    ClientTeam = apps.get_model("tracker", "ClientTeam")
    PipelineTemplate = apps.get_model("projects", "PipelineTemplate")
    PipelineStageTemplate = apps.get_model("projects", "PipelineStageTemplate")

    slug = settings.TRACKER_DEFAULT_ORGANISATION
    organisation, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").title()})
    for name, team_slug in CLIENT_TEAMS:
        ClientTeam.objects.get_or_create(organisation=organisation, slug=team_slug, defaults={"name": name})
    template, created = PipelineTemplate.objects.get_or_create(
        organisation=organisation, name="Standard", defaults={"is_default": True}
    )
    if created:
        PipelineStageTemplate.objects.bulk_create(
            PipelineStageTemplate(template=template, name=name, slug=stage_slug, order=order, approval_type=gate)
            for order, (name, stage_slug, gate) in enumerate(DEFAULT_PIPELINE)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_initial"),
        ("tracker", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
