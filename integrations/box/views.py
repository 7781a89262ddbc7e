"""Box pages: the admin settings page, and the POSTs behind the deliverable page's Box panel and button."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from deliverables.models import Deliverable
from tracker.errors import ApplicationError
from tracker.permissions import Permission, has_permission
from tracker.services import organisation_for_user

from . import selectors, services
from .client import box_configuration
from .models import BoxInboundLog, BoxPushLog


def _require(request, permission: Permission) -> None:
    if not has_permission(request.user, permission):
        raise PermissionDenied


def _back(request, fallback: str):
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _panel(request, deliverable: Deliverable, status: int = 200) -> HttpResponse:
    context = {
        "deliverable": deliverable,
        "push": selectors.box_push_state(deliverable=deliverable),
        "can_push": has_permission(request.user, Permission.BOX_PUSH),
        "htmx_messages": bool(request.headers.get("HX-Request")),
    }
    return render(request, "box/_push_panel.html", context, status=status)


def _deliverable_page(deliverable: Deliverable) -> str:
    return services.deliverable_page_url(deliverable)


def _own_deliverable(request, queryset, **lookup):
    """Another organisation's deliverable looks like it does not exist."""
    found = get_object_or_404(queryset, **lookup)
    deliverable = found if isinstance(found, Deliverable) else found.deliverable
    if deliverable.project.organisation_id != organisation_for_user(request.user).pk:
        raise Http404
    return found


@login_required
@require_GET
def box_settings(request):
    _require(request, Permission.ADMIN_SETTINGS)
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
            outcome=filters["push_outcome"], trigger=filters["push_trigger"], search=filters["push_q"]
        ),
        "inbound": selectors.box_inbound_list(
            outcome=filters["inbound_outcome"], trigger=filters["inbound_trigger"], search=filters["inbound_q"]
        ),
        "push_outcomes": BoxPushLog.Outcome.choices,
        "push_triggers": BoxPushLog.Trigger.choices,
        "inbound_outcomes": BoxInboundLog.Outcome.choices,
    }
    return render(request, "box/settings.html", context)


@login_required
@require_GET
def push_panel(request, pk: int):
    deliverable = _own_deliverable(request, Deliverable.objects.select_related("project"), pk=pk)
    return _panel(request, deliverable)


@login_required
@require_POST
def deliverable_send(request, pk: int):
    _require(request, Permission.BOX_PUSH)
    deliverable = _own_deliverable(request, Deliverable.objects.select_related("project"), pk=pk)
    return _after_push(
        request, deliverable, lambda: services.box_push_send(deliverable=deliverable, actor=request.user)
    )


@login_required
@require_POST
def push_retry(request, pk: int):
    _require(request, Permission.BOX_PUSH)
    row = _own_deliverable(request, BoxPushLog.objects.select_related("deliverable__project"), pk=pk)
    deliverable = row.deliverable
    return _after_push(request, deliverable, lambda: services.box_push_retry(push_log=row, actor=request.user))


def _after_push(request, deliverable: Deliverable, action):
    status = 200
    try:
        row = action()
    except ApplicationError as error:
        messages.error(request, error.message)
        status = error.status_code
    else:
        if row.outcome == BoxPushLog.Outcome.FAILED:
            messages.error(request, f"Not sent to Box: {row.error}")
        else:
            messages.success(request, f"Queued for Box: {row.folder_name}")
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx responses by default: a refusal re-renders the panel with the reason in it.
        return _panel(request, deliverable, status=200 if status < 500 else status)
    return _back(request, _deliverable_page(deliverable))


@login_required
@require_POST
def inbound_retry(request, pk: int):
    _require(request, Permission.ADMIN_SETTINGS)
    log = get_object_or_404(BoxInboundLog, pk=pk)
    try:
        services.box_inbound_retry(inbound_log=log, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Queued again: {log.file_name or log.event_id}")
    return _back(request, reverse("box:settings"))
