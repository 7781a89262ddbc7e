"""The POSTs behind the CMP panel on the deliverable page: link a CMP task by hand, or unlink it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.errors import ApplicationError
from tracker.services import organisation_for_user
from tracker.views import redirect_back, show_refusal

from . import selectors, services


def _back(request, deliverable):
    return redirect_back(request, reverse("deliverables:detail", args=[deliverable.pk]))


@login_required
@require_POST
def task_link(request, pk: int):
    deliverable = selectors.cmp_deliverable(organisation=organisation_for_user(request.user), pk=pk)
    try:
        task = services.task_link(deliverable=deliverable, task_id=request.POST.get("task_id", ""), actor=request.user)
    except ApplicationError as error:
        show_refusal(request, error)  # a PermissionDeniedError is raised again: the 403 page
    else:
        messages.success(request, f"Linked to CMP task {task.external_id}.")
    return _back(request, deliverable)


@login_required
@require_POST
def task_unlink(request, pk: int):
    deliverable = selectors.cmp_deliverable(organisation=organisation_for_user(request.user), pk=pk)
    try:
        task_id = services.task_unlink(deliverable=deliverable, actor=request.user)
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"Unlinked from CMP task {task_id}." if task_id else "No CMP task was linked.")
    return _back(request, deliverable)
