from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tracker.ids import parse_id

from . import selectors, services
from .permissions import Permission, has_permission


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("briefs:inbox")


# --- Helpers every page view shares ---------------------------------------------------------------------------


def require_permission(request: HttpRequest, permission: Permission) -> None:
    """The server-side gate for every page action: hiding a button is never the check."""
    if not has_permission(request.user, permission):
        raise PermissionDenied(permission.value)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def redirect_after_post(request: HttpRequest, to: str) -> HttpResponse:
    """Plain forms follow a 303; htmx requests are told where to go with HX-Redirect."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = to
        return response
    return redirect(to)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- Notifications --------------------------------------------------------------------------------------------


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "tracker/notifications.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request):
    ids = [pk for pk in map(parse_id, request.POST.getlist("id")) if pk is not None] or None
    marked = services.notifications_mark_read(user=request.user, ids=ids)
    if not is_htmx(request):
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read.")
    return redirect_after_post(request, safe_next(request, reverse("notifications")))


# --- Error pages ----------------------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return "/api/" in request.path or request.headers.get("Accept", "").startswith("application/json")


def _error(request, status: int, message: str, template: str):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, template, {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad request", "error.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "permission denied", "error.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "not found", "error.html")


def server_error(request):
    return _error(request, 500, "internal error", "error.html")
