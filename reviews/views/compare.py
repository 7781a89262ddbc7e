"""Two rounds of a deliverable compared: side by side, or one over the other with a slider; each with its pins."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracker.ids import parse_id
from tracker.services import organisation_for_user

from .. import selectors

MODES = ("side", "overlay")


@login_required
@require_GET
def compare(request, pk: int):
    """`?a=<round>&b=<round>&mode=side|overlay`; a round that does not exist falls back to the default pair."""
    organisation = organisation_for_user(request.user)
    deliverable = selectors.deliverable_get(organisation=organisation, pk=pk)
    data = selectors.compare_rounds(
        organisation=organisation,
        deliverable=deliverable,
        a=parse_id(request.GET.get("a", "")),
        b=parse_id(request.GET.get("b", "")),
    )
    mode = request.GET.get("mode") if request.GET.get("mode") in MODES else "side"
    return render(request, "reviews/compare.html", {"deliverable": deliverable, "mode": mode, **data})
