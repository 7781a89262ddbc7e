from projects.models import Project
from tracker.models import ClientTeam, Organisation

from .models import WebhookReceipt


def project_by_omg_job_number(*, omg_job_number: str) -> Project | None:
    """The project an OMG job number names. Job numbers are unique across the tracker, like the upsert key."""
    return Project.objects.filter(omg_job_number=omg_job_number).first()


def client_team_by_slug_or_name(*, organisation: Organisation, value: str) -> ClientTeam | None:
    """The organisation's team whose slug or name is `value`, ignoring case; a slug match wins."""
    value = value.strip()
    if not value:
        return None
    teams = ClientTeam.objects.filter(organisation=organisation)
    return teams.filter(slug__iexact=value).first() or teams.filter(name__iexact=value).order_by("pk").first()


def receipts_for_key(*, external_key: str):
    return WebhookReceipt.objects.filter(external_key=external_key).order_by("-created_at", "-id")
