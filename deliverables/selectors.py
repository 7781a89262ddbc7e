"""Reads for the deliverable page, the project page's deliverables panel and the deliverables list."""

from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import ApprovalType, Project
from projects.selectors import CLOSED_STATUSES
from tracker.errors import NotFoundError
from tracker.models import Organisation, User

from .models import Deliverable, Revision, Stage, Transition


def deliverable_detail(*, organisation: Organisation, pk: int) -> Deliverable:
    """The deliverable with its project, assignee and ordered stages (and who completed each) loaded."""
    try:
        return (
            Deliverable.objects.select_related(
                "project", "project__client_team", "project__owner", "assignee", "current_stage"
            )
            .prefetch_related(
                Prefetch("stages", queryset=Stage.objects.select_related("completed_by").order_by("order"))
            )
            .get(project__organisation=organisation, pk=pk)
        )
    except Deliverable.DoesNotExist as error:
        raise NotFoundError("deliverable not found") from error


def revision_get(*, organisation: Organisation, pk: int) -> Revision:
    """One of the organisation's revisions, with its deliverable and project: what serving its file or its
    thumbnail checks."""
    try:
        return Revision.objects.select_related("deliverable__project").get(
            deliverable__project__organisation=organisation, pk=pk
        )
    except Revision.DoesNotExist as error:
        raise NotFoundError("revision not found") from error


def deliverable_stage_detail(*, organisation: Organisation, deliverable_pk: int, pk: int) -> Stage:
    """One stage of one of the organisation's deliverables, with its deliverable."""
    try:
        return Stage.objects.select_related("deliverable").get(
            deliverable__project__organisation=organisation, deliverable_id=deliverable_pk, pk=pk
        )
    except Stage.DoesNotExist as error:
        raise NotFoundError("stage not found") from error


def deliverable_list_for_project(
    *, organisation: Organisation, project: Project, assigned_to: User | None = None
) -> QuerySet[Deliverable]:
    """The project's deliverables with `done_stages`, `total_stages`, the current stage and its approver (the
    project's owner) joined in, so `4/11 · Design` costs no query per row. `assigned_to`: only theirs."""
    deliverables = Deliverable.objects.filter(project=project, project__organisation=organisation)
    if assigned_to is not None:
        deliverables = deliverables.filter(assignee=assigned_to)
    return _with_progress(deliverables).order_by("due_date", "name")


def _stage_count(*, done: bool = False) -> Coalesce:
    """The deliverable's stages (only the done ones with `done`) as a correlated subquery: evaluated for the rows
    of the page only, where a join and GROUP BY would pair every deliverable with its 11 stages and sort them all
    before the page is taken."""
    stages = Stage.objects.filter(deliverable=OuterRef("pk"))
    if done:
        stages = stages.filter(status=Stage.Status.DONE)
    return Coalesce(Subquery(stages.values("deliverable").annotate(n=Count("id")).values("n")[:1]), 0)


def _with_progress(deliverables: QuerySet[Deliverable]) -> QuerySet[Deliverable]:
    return deliverables.select_related("current_stage", "assignee", "project", "project__owner").annotate(
        total_stages=_stage_count(), done_stages=_stage_count(done=True)
    )


def end_of_week(today: date) -> date:
    """The Sunday of `today`'s week: "due this week" runs from today to then."""
    return today + timedelta(days=6 - today.weekday())


def waiting_for_approval_by(user: User) -> Q:
    """Deliverables whose current stage is a SIMPLE gate `user` approves: the stage approver is the project's
    owner (`services.upstream.stage_approver`). One on hold waits for its release first."""
    return Q(
        project__owner=user,
        current_stage__approval_type=ApprovalType.SIMPLE,
        current_stage__status=Stage.Status.ACTIVE,
    ) & ~Q(status=Deliverable.Status.ON_HOLD)


def deliverable_filtered(
    *,
    organisation: Organisation,
    due: str = "",
    assigned_to: User | None = None,
    waiting_for: User | None = None,
    status: str = "",
    search: str = "",
    today: date | None = None,
) -> QuerySet[Deliverable]:
    """The organisation's deliverables narrowed by the list's filters, with nothing joined: the home page counts
    these (one COUNT each) and the list shows them (`deliverable_list`), so a tile and its list always agree.

    `due` is "week" (due from today to Sunday) or "overdue" (due before today); either way only work still to do:
    not approved, in a project that is not closed. `assigned_to`: the deliverables assigned to that user;
    `waiting_for`: those waiting at a SIMPLE stage that user approves."""
    today = today or timezone.localdate()
    deliverables = Deliverable.objects.filter(project__organisation=organisation)
    if due in ("week", "overdue"):
        deliverables = deliverables.exclude(status=Deliverable.Status.APPROVED).exclude(
            project__status__in=CLOSED_STATUSES
        )
        if due == "week":
            deliverables = deliverables.filter(due_date__gte=today, due_date__lte=end_of_week(today))
        else:
            deliverables = deliverables.filter(due_date__lt=today)
    if assigned_to is not None:
        deliverables = deliverables.filter(assignee=assigned_to)
    if waiting_for is not None:
        deliverables = deliverables.filter(waiting_for_approval_by(waiting_for))
    if status:
        deliverables = deliverables.filter(status=status)
    if search:
        deliverables = deliverables.filter(
            Q(name__icontains=search) | Q(project__name__icontains=search) | Q(project__project_code__icontains=search)
        )
    return deliverables


def deliverable_list(**filters) -> QuerySet[Deliverable]:
    """`deliverable_filtered` with what each row of the list shows joined in (project, current stage, assignee,
    approver, stage counts), soonest due first: one query per page of rows."""
    return _with_progress(deliverable_filtered(**filters)).order_by(
        F("due_date").asc(nulls_last=True), "project__name", "name", "pk"
    )


HISTORY_ON_PAGE = 50


def deliverable_history(*, organisation: Organisation, deliverable: Deliverable) -> QuerySet[Transition]:
    """The deliverable's approval trail, newest first, with who acted joined in (one query)."""
    return (
        Transition.objects.filter(deliverable=deliverable, deliverable__project__organisation=organisation)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
