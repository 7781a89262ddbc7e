"""Reads for the deliverable page."""

from django.db.models import Prefetch, QuerySet

from tracker.models import Organisation

from .models import Deliverable, Stage


def deliverable_detail(*, organisation: Organisation, pk: int) -> Deliverable:
    """The deliverable with its project, assignee and ordered stages (and who completed each) loaded."""
    return (
        Deliverable.objects.select_related("project", "project__client_team", "assignee", "current_stage")
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.select_related("completed_by").order_by("order")))
        .get(project__organisation=organisation, pk=pk)
    )


def deliverable_stages(*, deliverable: Deliverable) -> QuerySet[Stage]:
    return deliverable.stages.all()
