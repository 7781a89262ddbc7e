from projects.models import Project
from tracker.models import ClientTeam, Organisation


def project_by_omg_job_number(*, organisation: Organisation, omg_job_number: str) -> Project | None:
    """The organisation's project an OMG job number names; another organisation's project is not found."""
    return Project.objects.filter(organisation=organisation, omg_job_number=omg_job_number).first()


def client_team_by_slug_or_name(*, organisation: Organisation, value: str) -> ClientTeam | None:
    """The organisation's team whose slug or name is `value`, ignoring case; a slug match wins."""
    value = value.strip()
    if not value:
        return None
    teams = ClientTeam.objects.filter(organisation=organisation)
    return teams.filter(slug__iexact=value).first() or teams.filter(name__iexact=value).order_by("pk").first()
