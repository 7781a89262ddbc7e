"""Settings → Integrations (ADMIN_SETTINGS): each upstream adapter, whether it is configured, the URL to register
upstream, what arrived in the last seven days and how it was answered, recent receipts, the mapping tables."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from integrations.inbound.models import WebhookReceipt
from tracker.permissions import Permission, require_permission

from . import selectors
from .models import Provider, UpstreamMapping


@login_required
@require_GET
def integration_list(request):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    provider = request.GET.get("provider", "")
    provider = provider if provider in Provider.values else ""
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in WebhookReceipt.Outcome.values else ""
    event = request.GET.get("event", "").strip()[:100]
    healths = selectors.adapter_health_list()
    for health in healths:
        health.urls = [(route, request.build_absolute_uri(reverse(url_name))) for route, url_name in
                       health.adapter.routes]  # fmt: skip
        health.mapping_url = (
            reverse("admin:upstream_upstreammapping_changelist") + f"?provider__exact={health.adapter.provider}"
        )
    context = {
        "healths": healths,
        "receipts": selectors.adapter_receipts(provider=provider, outcome=outcome, event=event),
        "filters": {"provider": provider, "outcome": outcome, "event": event},
        "providers": Provider.choices,
        "outcomes": WebhookReceipt.Outcome.choices,
        "mapping_kinds": UpstreamMapping.Kind.choices,
        "objects_url": reverse("admin:upstream_upstreamobject_changelist"),
        "window_days": selectors.WINDOW_DAYS,
    }
    return render(request, "upstream/integrations.html", context)
