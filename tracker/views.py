from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from tracker.errors import ApplicationError, NotFoundError, PermissionDeniedError
from tracker.ids import parse_id
from tracker.paging import Paginator

from . import selectors, services
from .forms import NotificationPreferenceForm
from .home import home_sections
from .models import EMAIL_KINDS, Notification


def home(request):
    """The site root and the landing page after sign-in: the tiles the apps registered for the user's role
    (`tracker.home`), each a number that links to the filtered list behind it."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    sections = home_sections(request.user, services.organisation_for_user(request.user))
    return render(request, "tracker/home.html", {"sections": sections})


# --- Helpers every page view shares ---------------------------------------------------------------------------
# One way each (docs/ARCHITECTURE.md): `request.htmx` (django-htmx) tells an htmx request, `show_refusal` puts a
# service refusal on the page, `redirect_back` returns to a safe `next`, and NotFoundError / PermissionDeniedError
# raised anywhere under a page become the 404 / 403 page in `tracker.middleware.ApplicationErrorMiddleware`.


def refusal_text(error: ApplicationError) -> str:
    """A service's message ("stage 'Design' is not the current stage") as a sentence for a person.

    A PermissionDeniedError is not a refusal to show: it is raised again, so a view that shows its service's
    refusals still answers a write the user may not make with the 403 page (ApplicationErrorMiddleware)."""
    if isinstance(error, PermissionDeniedError):
        raise error
    text = error.message.strip()
    if not text:
        return "That action is not allowed."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def show_refusal(request: HttpRequest, error: ApplicationError) -> None:
    """The one way a page shows a service refusal: an error message on the page that renders next."""
    messages.error(request, refusal_text(error))


def redirect_after_post(request: HttpRequest, to: str) -> HttpResponse:
    """Plain forms follow a 303; htmx requests are told where to go with HX-Redirect, except a boosted form's
    (the presenter's, `hx-boost`): htmx follows the redirect itself and swaps the page in place, so the document,
    and the browser's full screen with it, stays."""
    if request.htmx and not request.htmx.boosted:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = to
        return response
    return redirect(to)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the form or link sent when it is a path on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    hosts = {request.get_host()}
    ours = url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure())
    if ours and target.startswith("/") and not target.startswith("//"):
        return target
    return fallback


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """After a POST: back to the page the form named in `next` (when it is ours), else to `fallback`."""
    return redirect_after_post(request, safe_next(request, fallback))


# --- Notifications --------------------------------------------------------------------------------------------


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "tracker/notifications.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Following a notification's link marks it read, then goes where it points (only a path on this site)."""
    notification = selectors.notification_detail(user=request.user, pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url if notification.url.startswith("/") and not notification.url.startswith("//") else ""
    return redirect(target or reverse("notifications"))


@login_required
@require_POST
def notification_mark_read(request):
    ids = [pk for pk in map(parse_id, request.POST.getlist("id")) if pk is not None] or None
    marked = services.notifications_mark_read(user=request.user, ids=ids)
    if not request.htmx:
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read.")
    return redirect_back(request, reverse("notifications"))


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Every user's own choice: the bell only, an email at once, or one digest a day (for what needs them)."""
    initial = {"email": selectors.notification_email_mode(request.user)}
    form = NotificationPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preference = services.notification_preference_set(user=request.user, email=form.cleaned_data["email"])
        messages.success(request, f"Saved: {preference.get_email_display().lower()}.")
        return redirect_after_post(request, reverse("notification_preferences"))
    kinds = [label for value, label in Notification.Kind.choices if value in EMAIL_KINDS]
    context = {"form": form, "email_kinds": kinds, "digest_hour": settings.NOTIFICATION_DIGEST_HOUR}
    return render(request, "tracker/notification_preferences.html", context, status=400 if form.errors else 200)


# --- Error pages ----------------------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return "/api/" in request.path or request.headers.get("Accept", "").startswith("application/json")


def _error(request, status: int, message: str, template: str):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, template, {"status": status, "message": message}, status=status)


def application_error(request, error: ApplicationError):
    """A refusal no page caught: its status, with the service's words on the error page (or in JSON)."""
    if isinstance(error, NotFoundError):
        return page_not_found(request)
    if isinstance(error, PermissionDeniedError):
        return permission_denied(request)
    return _error(request, error.status_code, refusal_text(error), "error.html")


def bad_request(request, exception=None):
    return _error(request, 400, "bad request", "error.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "permission denied", "error.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "not found", "error.html")


def server_error(request):
    return _error(request, 500, "internal error", "error.html")
