"""System checks for outbound webhooks."""

from django.core.checks import Tags, Warning, register

from integrations.webhooks.addresses import exempt_hosts


@register(Tags.security)
def check_exempt_hosts(app_configs, **kwargs):
    """Hosts exempt from the URL rules are for development and tests; in production the list stays empty."""
    hosts = sorted(exempt_hosts())
    if not hosts:
        return []
    return [
        Warning(
            f"WEBHOOK_EXEMPT_HOSTS (or OUTBOUND_WEBHOOK_EXEMPT_HOSTS) lets webhooks and upstream file fetches reach "
            f"{', '.join(hosts)} over plain http and private addresses, bypassing the URL rules.",
            hint="Leave WEBHOOK_EXEMPT_HOSTS and OUTBOUND_WEBHOOK_EXEMPT_HOSTS empty outside local development and "
            "tests.",
            id="outbound.W001",
        )
    ]
