"""What every organisation starts with: its client teams and the default 11-stage pipeline.

The first migration creates these for the default organisation; `organisation_ensure_defaults` creates them for
any organisation (idempotent, safe to run again).
"""

from django.db import transaction

from tracker.models import ClientTeam, Organisation

from .models import PipelineStageTemplate, PipelineTemplate

CLIENT_TEAMS = [
    ("Brand", "brand"),
    ("Events", "events"),
    ("B2B", "b2b"),
    ("Content", "content"),
    ("Briefing Team", "briefing-team"),
    ("Performance", "performance"),
]

DEFAULT_PIPELINE_NAME = "Standard"
DEFAULT_PIPELINE = [
    ("Pipeline", "pipeline", "NONE"),
    ("New", "new", "NONE"),
    ("Briefing", "briefing", "NONE"),
    ("Concept", "concept", "NONE"),
    ("Design", "design", "NONE"),
    ("Internal Review", "internal-review", "SIMPLE"),
    ("Client Review", "client-review", "FORMAL"),
    ("Amends", "amends", "NONE"),
    ("Final Approval", "final-approval", "FORMAL"),
    ("Delivery", "delivery", "NONE"),
    ("Completed", "completed", "NONE"),
]


@transaction.atomic
def organisation_ensure_defaults(*, slug: str, name: str | None = None) -> Organisation:
    """Create the organisation, its client teams and its default pipeline where they are missing."""
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.replace("-", " ").title()}
    )
    for team_name, team_slug in CLIENT_TEAMS:
        ClientTeam.objects.get_or_create(organisation=organisation, slug=team_slug, defaults={"name": team_name})
    if not PipelineTemplate.objects.filter(organisation=organisation, is_default=True).exists():
        template, created = PipelineTemplate.objects.get_or_create(
            organisation=organisation, name=DEFAULT_PIPELINE_NAME, defaults={"is_default": True}
        )
        if created:
            PipelineStageTemplate.objects.bulk_create(
                PipelineStageTemplate(template=template, name=stage, slug=stage_slug, order=order, approval_type=gate)
                for order, (stage, stage_slug, gate) in enumerate(DEFAULT_PIPELINE)
            )
    return organisation
