"""Reads for the external API v1, scoped to the API key's organisation, in a constant number of queries."""

from datetime import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from deliverables.models import Deliverable, Stage, Transition
from projects.models import Project
from tracker.errors import NotFoundError
from tracker.ids import parse_id
from tracker.models import Organisation


def v1_deliverables() -> QuerySet[Deliverable]:
    """Deliverables with their current stage joined and stage progress counted in the same query."""
    return Deliverable.objects.select_related("current_stage").annotate(
        v1_total_stages=Count("stages", distinct=True),
        v1_done_stages=Count("stages", filter=Q(stages__status=Stage.Status.DONE), distinct=True),
    )


def v1_project_list(
    *,
    organisation: Organisation,
    status: str | None = None,
    team: str | None = None,
    omg_job_number: str | None = None,
    updated_since: datetime | None = None,
    search: str | None = None,
) -> QuerySet[Project]:
    projects = Project.objects.filter(organisation=organisation)
    if status:
        projects = projects.filter(status=status)
    if team:
        projects = projects.filter(client_team__slug=team)
    if omg_job_number:
        projects = projects.filter(omg_job_number=omg_job_number)
    if updated_since:
        projects = projects.filter(updated_at__gte=updated_since)
    if search:
        projects = projects.filter(
            Q(name__icontains=search) | Q(project_code__icontains=search) | Q(omg_job_number__icontains=search)
        )
    # A correlated count, evaluated for the page's rows only (the cursor's LIMIT comes first), not a join of
    # every project to every deliverable grouped before the page is taken.
    deliverable_count = Deliverable.objects.filter(project=OuterRef("pk")).values("project")
    deliverable_count = deliverable_count.annotate(n=Count("id")).values("n")[:1]
    return projects.select_related("client_team").annotate(
        v1_deliverable_count=Coalesce(Subquery(deliverable_count), 0)
    )


def v1_project_get(*, organisation: Organisation, project_id: str) -> Project:
    """One project of the organisation, with deliverables and stage progress (three queries).

    Another organisation's project is "not found", exactly like one that does not exist.
    """
    pk = parse_id(project_id)
    project = (
        Project.objects.filter(organisation=organisation, pk=pk)
        .select_related("client_team")
        .annotate(v1_deliverable_count=Count("deliverables"))
        .prefetch_related(Prefetch("deliverables", queryset=v1_deliverables().order_by("name", "id")))
        .first()
        if pk is not None
        else None
    )
    if project is None:
        raise NotFoundError("project not found")
    return project


def v1_project_find(*, organisation: Organisation, project_id: str) -> Project:
    pk = parse_id(project_id)
    project = Project.objects.filter(organisation=organisation, pk=pk).first() if pk is not None else None
    if project is None:
        raise NotFoundError("project not found")
    return project


def v1_deliverable_list(*, project: Project) -> QuerySet[Deliverable]:
    return v1_deliverables().filter(project=project)


def v1_deliverable_get(*, pk: int) -> Deliverable:
    return v1_deliverables().get(pk=pk)


def v1_deliverable_find(*, project: Project, deliverable_id: str) -> Deliverable:
    """One of the project's deliverables by its id (a string in the URL); anything else is not found."""
    pk = parse_id(deliverable_id)
    deliverable = Deliverable.objects.filter(project=project, pk=pk).first() if pk is not None else None
    if deliverable is None:
        raise NotFoundError("deliverable not found")
    return deliverable


def v1_deliverable_history(*, deliverable: Deliverable) -> QuerySet[Transition]:
    return Transition.objects.filter(deliverable=deliverable).select_related("actor")
