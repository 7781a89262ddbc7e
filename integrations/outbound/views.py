"""Settings → Webhooks (`/settings/webhooks`): endpoints and their health, one endpoint's page (edit, secret, test,
resend), the delivery log and a delivery's detail.

Writes check ADMIN_SETTINGS in their services; the pages, which only read admin data, check it themselves. A new
or rotated secret is rendered into that POST's response only (never a message or the session), marked no-store.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker.errors import ApplicationError
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, redirect_back, refusal_text, show_refusal

from . import selectors, services
from .catalogue import GROUPS
from .forms import DESCRIPTIONS, DeliveryFilterForm, EndpointCreateForm, EndpointForm, ResendFailedForm


def _admin_organisation(request):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    return organisation_for_user(request.user)


def _endpoint(request, pk: int):
    return selectors.endpoint_get(organisation=_admin_organisation(request), pk=pk)


def _form_refusal(form, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, refusal_text(error))


def _endpoint_values(form) -> dict:
    data = form.cleaned_data
    return {
        "url": data["url"],
        "description": data["description"],
        "events": data["events"],
        "all_events": data["all_events"],
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def endpoint_list(request):
    """GET lists the endpoints with their health; POST adds one and shows its secret, this once."""
    organisation = _admin_organisation(request)
    form = EndpointCreateForm(request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created, secret = services.outbound_endpoint_create(
                    organisation=organisation,
                    actor=request.user,
                    is_active=form.cleaned_data["is_active"],
                    **_endpoint_values(form),
                )
            except ApplicationError as error:
                _form_refusal(form, error)
            else:
                form, status = EndpointCreateForm(), 200
    context = {
        "health": selectors.endpoint_health_list(organisation=organisation),
        "form": form,
        "created": created,
        "secret": secret,
        "descriptions": DESCRIPTIONS,
    }
    return render(request, "outbound/endpoints.html", context, status=status)


def _detail(request, endpoint, *, status: int = 200, **extra):
    secrets = endpoint.signing_secrets(timezone.now())
    context = {
        "overlap_until": endpoint.previous_secret_expires_at if len(secrets) > 1 else None,
        "overlap_hours": settings.OUTBOUND_WEBHOOK_SECRET_OVERLAP_HOURS,
        "endpoint": endpoint,
        "health": selectors.endpoint_health(endpoint=endpoint),
        "form": extra.pop("form", None)
        or EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "all_events": endpoint.all_events,
                "events": endpoint.events,
            }
        ),
        "resend_form": extra.pop("resend_form", None) or ResendFailedForm(),
        "deliveries": selectors.delivery_list(organisation=endpoint.organisation, endpoint_id=endpoint.pk)[:20],
        "descriptions": DESCRIPTIONS,
        **extra,
    }
    return render(request, "outbound/endpoint_detail.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, pk: int):
    """GET shows the endpoint; POST saves its URL, description and events."""
    endpoint = _endpoint(request, pk)
    if request.method == "GET":
        return _detail(request, endpoint)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            services.outbound_endpoint_update(endpoint=endpoint, actor=request.user, **_endpoint_values(form))
        except ApplicationError as error:
            _form_refusal(form, error)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect_after_post(request, reverse("outbound:endpoint", args=[endpoint.pk]))
    return _detail(request, endpoint, status=400, form=form)


@login_required
@never_cache
@require_POST
def endpoint_rotate(request, pk: int):
    endpoint = _endpoint(request, pk)
    endpoint, secret = services.outbound_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _detail(request, endpoint, secret=secret, rotated=True)


@login_required
@require_POST
def endpoint_enable(request, pk: int):
    endpoint = services.outbound_endpoint_enable(endpoint=_endpoint(request, pk), actor=request.user)
    messages.success(request, f"Enabled. New events go to {endpoint.url} again.")
    return redirect_back(request, reverse("outbound:endpoint", args=[pk]))


@login_required
@require_POST
def endpoint_disable(request, pk: int):
    services.outbound_endpoint_disable(endpoint=_endpoint(request, pk), actor=request.user)
    messages.success(request, "Disabled. No events are sent to it until it is enabled.")
    return redirect_back(request, reverse("outbound:endpoint", args=[pk]))


@login_required
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = _endpoint(request, pk)
    services.outbound_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, f"Deleted the endpoint {endpoint.url} and its delivery log.")
    return redirect_after_post(request, reverse("outbound:endpoints"))


@login_required
@require_POST
def endpoint_test(request, pk: int):
    """Fire `webhook.test` at this endpoint and show its answer: inline for htmx, on the endpoint's page else."""
    endpoint = _endpoint(request, pk)
    delivery = services.outbound_endpoint_send_test(endpoint=endpoint, actor=request.user)
    context = {"test": delivery, "test_attempt": selectors.latest_attempt(delivery=delivery)}
    if request.htmx:
        return render(request, "outbound/_test_result.html", context)
    return _detail(request, endpoint, **context)


@login_required
@require_POST
def endpoint_resend_failed(request, pk: int):
    endpoint = _endpoint(request, pk)
    form = ResendFailedForm(request.POST)
    if not form.is_valid():
        return _detail(request, endpoint, status=400, resend_form=form)
    try:
        count = services.outbound_endpoint_resend_failed(
            endpoint=endpoint, since=form.cleaned_data["since"], actor=request.user
        )
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"Sending {count} failed deliver{'y' if count == 1 else 'ies'} again.")
    return redirect_back(request, reverse("outbound:endpoint", args=[pk]))


@login_required
@require_GET
def delivery_list(request):
    organisation = _admin_organisation(request)
    form = DeliveryFilterForm(request.GET or None, endpoints=selectors.endpoint_list(organisation=organisation))
    rows = selectors.delivery_list(organisation=organisation, **form.filters())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "groups": GROUPS}
    return render(request, "outbound/deliveries.html", context)


@login_required
@require_GET
def delivery_detail(request, pk: int):
    delivery = selectors.delivery_get(organisation=_admin_organisation(request), pk=pk)
    attempts = list(delivery.attempt_rows.all())
    context = {"delivery": delivery, "attempts": attempts, "last": attempts[-1] if attempts else None}
    return render(request, "outbound/delivery_detail.html", context)


@login_required
@require_POST
def delivery_resend(request, pk: int):
    delivery = selectors.delivery_get(organisation=_admin_organisation(request), pk=pk)
    try:
        services.outbound_delivery_resend(delivery=delivery, actor=request.user)
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"Sending {delivery.event_name} again.")
    return redirect_back(request, reverse("outbound:delivery", args=[pk]))
