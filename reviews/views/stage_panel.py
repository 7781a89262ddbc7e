"""The review panel for one stage of a deliverable, linked from the deliverable page's stage rows."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.models import ApprovalType
from tracker.services import organisation_for_user

from .. import selectors
from ..services.gate import formal_gate_refusal


@login_required
@require_GET
def stage_panel(request, pk: int, stage_pk: int):
    """Latest revision, its open items, the sessions that covered the stage and, for a FORMAL stage, why its gate
    does not pass yet."""
    organisation = organisation_for_user(request.user)
    stage = selectors.stage_get(organisation=organisation, pk=stage_pk, deliverable_id=pk)
    return render(
        request,
        "reviews/stage_panel.html",
        {
            "stage": stage,
            "deliverable": stage.deliverable,
            **selectors.stage_panel(organisation=organisation, stage=stage),
            "gate_refusal": formal_gate_refusal(stage=stage) if stage.approval_type == ApprovalType.FORMAL else None,
        },
    )
