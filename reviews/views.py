from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from deliverables.models import Stage


@login_required
def stage_panel(request, pk: int, stage_pk: int):
    stage = get_object_or_404(Stage.objects.select_related("deliverable__project"), pk=stage_pk, deliverable_id=pk)
    latest = stage.deliverable.revisions.order_by("-round").first()
    return render(
        request,
        "reviews/stage_panel.html",
        {"stage": stage, "deliverable": stage.deliverable, "latest_revision": latest},
    )
