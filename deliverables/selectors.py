"""Reads for the deliverable page and the project page's deliverables panel."""

from django.db.models import Count, Prefetch, Q, QuerySet

from projects.models import Project
from tracker.errors import NotFoundError
from tracker.models import Organisation

from .models import Deliverable, Stage, Transition


def deliverable_detail(*, organisation: Organisation, pk: int) -> Deliverable:
    """The deliverable with its project, assignee and ordered stages (and who completed each) loaded."""
    try:
        return (
            Deliverable.objects.select_related("project", "project__client_team", "assignee", "current_stage")
            .prefetch_related(
                Prefetch("stages", queryset=Stage.objects.select_related("completed_by").order_by("order"))
            )
            .get(project__organisation=organisation, pk=pk)
        )
    except Deliverable.DoesNotExist as error:
        raise NotFoundError("deliverable not found") from error


def deliverable_stage_detail(*, organisation: Organisation, deliverable_pk: int, pk: int) -> Stage:
    """One stage of one of the organisation's deliverables, with its deliverable."""
    try:
        return Stage.objects.select_related("deliverable").get(
            deliverable__project__organisation=organisation, deliverable_id=deliverable_pk, pk=pk
        )
    except Stage.DoesNotExist as error:
        raise NotFoundError("stage not found") from error


def deliverable_list_for_project(*, organisation: Organisation, project: Project) -> QuerySet[Deliverable]:
    """The project's deliverables with `done_stages`, `total_stages` and the current stage joined in,
    so `4/11 · Design` costs no query per row."""
    return (
        Deliverable.objects.filter(project=project, project__organisation=organisation)
        .select_related("current_stage", "assignee")
        .annotate(
            total_stages=Count("stages"),
            done_stages=Count("stages", filter=Q(stages__status=Stage.Status.DONE)),
        )
        .order_by("due_date", "name")
    )


HISTORY_ON_PAGE = 50


def deliverable_history(*, organisation: Organisation, deliverable: Deliverable) -> QuerySet[Transition]:
    """The deliverable's approval trail, newest first, with who acted joined in (one query)."""
    return (
        Transition.objects.filter(deliverable=deliverable, deliverable__project__organisation=organisation)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
