"""The CMP panel on the deliverable page (registered in `OptimizelyConfig.ready()`, see `deliverables.panels`):
the linked task id, a form to link or unlink one for those who may edit the deliverable, and downloads that are
still running or failed."""

from django.template.loader import render_to_string

from tracker.permissions import Permission, has_permission
from tracker.services import organisation_for_user

from . import selectors


def task_panel(request, deliverable, stage=None) -> str:
    organisation = organisation_for_user(request.user)
    task = selectors.cmp_task_for_deliverable(organisation=organisation, deliverable=deliverable)
    can_edit = has_permission(request.user, Permission.DELIVERABLE_EDIT)
    if task is None and not can_edit:
        return ""
    context = {
        "deliverable": deliverable,
        "task": task,
        "can_edit": can_edit,
        "fetches": list(selectors.cmp_asset_fetches(organisation=organisation, deliverable=deliverable))
        if task
        else [],
    }
    return render_to_string("optimizely/_task_panel.html", context, request=request)
