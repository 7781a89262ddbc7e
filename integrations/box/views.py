"""Box pages: the admin settings page, and the POSTs behind the deliverable page's Box panel and button."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from deliverables.models import Deliverable
from tracker.errors import ApplicationError, PermissionDeniedError
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_back, show_refusal

from . import selectors, services
from .client import box_configuration
from .models import BoxInboundLog, BoxPushLog


def _panel(request, deliverable: Deliverable) -> HttpResponse:
    context = {
        "deliverable": deliverable,
        "push": selectors.box_push_state(organisation=organisation_for_user(request.user), deliverable=deliverable),
        "can_push": has_permission(request.user, Permission.BOX_PUSH),
        "htmx_messages": bool(request.htmx),
    }
    return render(request, "box/_push_panel.html", context)


@login_required
@require_GET
def box_settings(request):
    # A page that only reads admin data: the one place a view checks a permission itself.
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    organisation = organisation_for_user(request.user)
    filters = {
        "push_outcome": request.GET.get("push_outcome", ""),
        "push_trigger": request.GET.get("push_trigger", ""),
        "push_q": request.GET.get("push_q", "").strip(),
        "inbound_outcome": request.GET.get("inbound_outcome", ""),
        "inbound_trigger": request.GET.get("inbound_trigger", "").strip(),
        "inbound_q": request.GET.get("inbound_q", "").strip(),
    }
    context = {
        "configuration": box_configuration(check_key=True),
        "root_folder_id": settings.BOX_ROOT_FOLDER_ID,
        "webhook_url": request.build_absolute_uri(reverse("box:webhook")),
        "webhook_keys": [
            name
            for name, key in (
                ("primary", settings.BOX_WEBHOOK_PRIMARY_KEY),
                ("secondary", settings.BOX_WEBHOOK_SECONDARY_KEY),
            )
            if key
        ],
        "filters": filters,
        "pushes": selectors.box_push_list(
            organisation=organisation,
            outcome=filters["push_outcome"],
            trigger=filters["push_trigger"],
            search=filters["push_q"],
        ),
        "inbound": selectors.box_inbound_list(
            organisation=organisation,
            outcome=filters["inbound_outcome"],
            trigger=filters["inbound_trigger"],
            search=filters["inbound_q"],
        ),
        "push_outcomes": BoxPushLog.Outcome.choices,
        "push_triggers": BoxPushLog.Trigger.choices,
        "inbound_outcomes": BoxInboundLog.Outcome.choices,
    }
    return render(request, "box/settings.html", context)


@login_required
@require_GET
def failed_pushes(request):
    """The deliverables whose push to Box failed, each with its error and a retry (the home page's tile)."""
    context = {
        "deliverables": selectors.box_failed_deliverables(organisation=organisation_for_user(request.user))[:200],
        "can_push": has_permission(request.user, Permission.BOX_PUSH),
    }
    return render(request, "box/failed.html", context)


@login_required
@require_GET
def push_panel(request, pk: int):
    deliverable = selectors.box_deliverable(organisation=organisation_for_user(request.user), pk=pk)
    return _panel(request, deliverable)


@login_required
@require_POST
def deliverable_send(request, pk: int):
    deliverable = selectors.box_deliverable(organisation=organisation_for_user(request.user), pk=pk)
    return _after_push(
        request,
        deliverable,
        lambda: services.box_push_send(
            deliverable=deliverable, actor=request.user, override=request.POST.get("override") == "confirmed"
        ),
    )


@login_required
@require_POST
def push_retry(request, pk: int):
    row = selectors.box_push_get(organisation=organisation_for_user(request.user), pk=pk)
    return _after_push(request, row.deliverable, lambda: services.box_push_retry(push_log=row, actor=request.user))


def _after_push(request, deliverable: Deliverable, action):
    try:
        row = action()
    except PermissionDeniedError:
        raise  # the 403 page
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        if row.outcome == BoxPushLog.Outcome.FAILED:
            messages.error(request, f"Not sent to Box: {row.error}")
        else:
            messages.success(request, f"Queued for Box: {row.folder_name}")
    if request.htmx:
        # htmx swaps only 2xx responses by default: a refusal re-renders the panel (200) with the reason in it.
        return _panel(request, deliverable)
    return redirect_back(request, services.deliverable_page_url(deliverable))


@login_required
@require_POST
def inbound_retry(request, pk: int):
    log = selectors.box_inbound_get(organisation=organisation_for_user(request.user), pk=pk)
    try:
        services.box_inbound_retry(inbound_log=log, actor=request.user)
    except PermissionDeniedError:
        raise  # the 403 page
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"Queued again: {log.file_name or log.event_id}")
    return redirect_back(request, reverse("box:settings"))
