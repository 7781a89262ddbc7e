from projects.models import Project
from tracker.models import ClientTeam, Organisation
from tracker.selectors import client_team_find


def project_by_omg_job_number(*, organisation: Organisation, omg_job_number: str) -> Project | None:
    """The organisation's project an OMG job number names; another organisation's project is not found."""
    return Project.objects.filter(organisation=organisation, omg_job_number=omg_job_number).first()


def client_team_by_slug_or_name(*, organisation: Organisation, value: str) -> ClientTeam | None:
    """The organisation's team whose slug or name is `value`, ignoring case; a slug match wins."""
    return client_team_find(organisation=organisation, slug=value) or client_team_find(
        organisation=organisation, name=value
    )
