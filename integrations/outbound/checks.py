"""System checks for outbound webhooks."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security)
def check_exempt_hosts(app_configs, **kwargs):
    """Hosts exempt from the URL rules are for development and tests; in production the list stays empty."""
    hosts = [host for host in settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS if host.strip()]
    if not hosts:
        return []
    return [
        Warning(
            f"OUTBOUND_WEBHOOK_EXEMPT_HOSTS lets webhooks reach {', '.join(hosts)} over plain http and private "
            "addresses, bypassing the URL rules.",
            hint="Leave OUTBOUND_WEBHOOK_EXEMPT_HOSTS empty outside local development and tests.",
            id="outbound.W001",
        )
    ]
