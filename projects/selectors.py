"""Reads for the projects pages and the pipeline editor. Query counts stay constant as rows grow."""

from datetime import date, timedelta

from django.db.models import Case, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import PipelineStageTemplate, PipelineTemplate, Project
from projects.search import custom_field_aliases, custom_field_match
from tracker.errors import NotFoundError
from tracker.models import Organisation, User

# A project that is finished, stopped or filed away is never "overdue".
CLOSED_STATUSES = (Project.Status.COMPLETED, Project.Status.CANCELED, Project.Status.ARCHIVED)
# Deliverables and their stages are reached through their reverse relations' names: projects never imports the app.
STAGE_DONE = "DONE"
DELIVERABLE_APPROVED = "APPROVED"


def _stage_count(*, done: bool) -> Subquery:
    """The project's stages across its deliverables (only the done ones with `done`), as a correlated subquery:
    computed for the rows of the page only, and never multiplying the list's own joins."""
    only = {"filter": Q(deliverables__stages__status=STAGE_DONE)} if done else {}
    per_project = Project.objects.filter(pk=OuterRef("pk")).values("pk")
    return Subquery(per_project.annotate(n=Count("deliverables__stages", **only)).values("n")[:1])


def with_latest_revision(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The list page's picture of each project: its newest revision across its deliverables, as
    `latest_revision_id`, `latest_revision_thumbnail` (the thumbnail's status) and `latest_revision_type`, by
    correlated subqueries in the page's one query (the export does not ask for them)."""
    newest = Project.objects.filter(pk=OuterRef("pk"), deliverables__revisions__isnull=False).order_by(
        "-deliverables__revisions__created_at", "-deliverables__revisions__pk"
    )

    def field(name: str) -> Subquery:
        return Subquery(newest.values(f"deliverables__revisions__{name}")[:1])

    return projects.annotate(
        latest_revision_id=field("pk"),
        latest_revision_thumbnail=field("thumbnail_status"),
        latest_revision_type=field("content_type"),
    )


def _deliverable_count(*, approved: bool = False) -> Subquery:
    """The project's deliverables (only the approved ones with `approved`), as a correlated subquery for the same
    reason: a join and GROUP BY would pair every project with every deliverable before the page is taken."""
    only = {"filter": Q(deliverables__status=DELIVERABLE_APPROVED)} if approved else {}
    per_project = Project.objects.filter(pk=OuterRef("pk")).values("pk")
    return Subquery(per_project.annotate(n=Count("deliverables", **only)).values("n")[:1])


def project_involving(user: User) -> Q:
    """Projects `user` owns or has deliverables assigned in ("Assigned to me")."""
    assigned = Project.objects.filter(deliverables__assignee=user).values("pk")
    return Q(owner=user) | Q(pk__in=assigned)


def pipeline_template_default(*, organisation: Organisation) -> PipelineTemplate | None:
    return (
        PipelineTemplate.objects.filter(organisation=organisation, is_default=True).prefetch_related("stages").first()
    )


def project_list(
    *,
    organisation: Organisation,
    status: str = "",
    client_team_id: int | None = None,
    priority: str = "",
    due: str = "",
    search: str = "",
    assigned_to: User | None = None,
    today: date | None = None,
) -> QuerySet[Project]:
    """Projects with their team, owner, deliverable counts and stage progress (`stages_done` of `stages_total`
    across their deliverables) joined in: one query per page of rows.

    `due` is "overdue" (due before today and still open) or "week" (due from today to the end of this week).
    `assigned_to`: the projects that user owns or has deliverables assigned in.
    """
    today = today or timezone.localdate()
    projects = Project.objects.filter(organisation=organisation)
    if status:
        projects = projects.filter(status=status)
    if client_team_id:
        projects = projects.filter(client_team_id=client_team_id)
    if priority:
        projects = projects.filter(priority=priority)
    if due == "overdue":
        projects = projects.filter(due_date__lt=today).exclude(status__in=CLOSED_STATUSES)
    elif due == "week":
        projects = projects.filter(due_date__gte=today, due_date__lte=today + timedelta(days=6 - today.weekday()))
    if search:
        aliases = custom_field_aliases()
        projects = projects.alias(**aliases).filter(
            Q(name__icontains=search)
            | Q(project_code__icontains=search)
            | Q(omg_job_number__icontains=search)
            | custom_field_match(aliases, search)
        )
    if assigned_to is not None:
        projects = projects.filter(project_involving(assigned_to))
    return (
        projects.select_related("client_team", "owner")
        .annotate(
            deliverable_count=_deliverable_count(),
            deliverables_approved=_deliverable_count(approved=True),
            stages_total=_stage_count(done=False),
            stages_done=_stage_count(done=True),
        )
        .order_by("-created_at", "-id")
    )


def project_progress(*, project: Project) -> dict[str, int]:
    """The project page's progress bar: `stages_done` of `stages_total` across its deliverables and
    `deliverables_approved` of `deliverable_count`, in one aggregate query."""
    return Project.objects.filter(pk=project.pk).aggregate(
        stages_total=Count("deliverables__stages"),
        stages_done=Count("deliverables__stages", filter=Q(deliverables__stages__status=STAGE_DONE)),
        deliverable_count=Count("deliverables", distinct=True),
        deliverables_approved=Count("deliverables", filter=Q(deliverables__status=DELIVERABLE_APPROVED), distinct=True),
    )


def project_detail(*, organisation: Organisation, pk: int) -> Project:
    """The organisation's project; another organisation's project is not found, like a missing one."""
    try:
        return Project.objects.select_related(
            "organisation", "client_team", "owner", "pipeline_template", "source_brief"
        ).get(organisation=organisation, pk=pk)
    except Project.DoesNotExist as error:
        raise NotFoundError("project not found") from error


def pipeline_template_list(*, organisation: Organisation) -> QuerySet[PipelineTemplate]:
    """The templates with `stage_count` and `project_count`. A project with no pipeline of its own uses the
    default, so the default's count includes those too."""
    implicit = Project.objects.filter(organisation=organisation, pipeline_template__isnull=True).values("organisation")
    implicit = implicit.annotate(n=Count("pk")).values("n")
    return (
        PipelineTemplate.objects.filter(organisation=organisation)
        .annotate(
            stage_count=Count("stages", distinct=True),
            project_count=Count("projects", distinct=True)
            + Case(When(is_default=True, then=Coalesce(Subquery(implicit), 0)), default=0),
        )
        .order_by("-is_default", "name")
    )


def pipeline_template_detail(*, organisation: Organisation, pk: int) -> PipelineTemplate:
    try:
        return PipelineTemplate.objects.prefetch_related(
            Prefetch("stages", queryset=PipelineStageTemplate.objects.order_by("order", "id"))
        ).get(organisation=organisation, pk=pk)
    except PipelineTemplate.DoesNotExist as error:
        raise NotFoundError("pipeline not found") from error


def pipeline_stage_detail(*, organisation: Organisation, template_pk: int, pk: int) -> PipelineStageTemplate:
    """One stage of one of the organisation's pipeline templates, with its template."""
    try:
        return PipelineStageTemplate.objects.select_related("template").get(
            template__organisation=organisation, template_id=template_pk, pk=pk
        )
    except PipelineStageTemplate.DoesNotExist as error:
        raise NotFoundError("stage not found") from error
