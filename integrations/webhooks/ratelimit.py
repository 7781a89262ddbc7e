"""Per-route, per-source-IP rate limit for the webhooks, on django-ratelimit's fixed windows.

Counters live in the `default` cache (RATELIMIT_USE_CACHE), which is Redis in production and CI, so the
limit holds across every web process.
"""

import logging

from django.conf import settings
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from .network import source_ip

logger = logging.getLogger(__name__)


def _key(group: str, request) -> str:
    return source_ip(request)


def webhook_retry_after(request, *, route: str) -> int | None:
    """Count this call against `route`'s WEBHOOK_RATE_LIMIT. Over the limit: the seconds until a call passes.

    django-ratelimit's window for a key ends at the second `time_left` seconds from now and the next window
    starts one second later, so a retry after `time_left + 1` seconds is the first that lands in a fresh
    window (it is never less than 1). If the cache is unreachable the call is let through and logged: the
    limit is a safety rail, and refusing every upstream push while Redis is down would lose more than it saves.
    """
    try:
        usage = get_usage(
            request,
            group=f"inbound.webhook.{route}",
            key=_key,
            rate=settings.WEBHOOK_RATE_LIMIT,
            method=ALL,
            increment=True,
        )
    except Exception:
        logger.warning("inbound.ratelimit_unavailable", exc_info=True, extra={"route": route})
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"] + 1)
