"""Per-route, per-source-IP rate limit for the webhooks, on django-ratelimit's fixed windows.

Counters live in the `default` cache (RATELIMIT_USE_CACHE), which is Redis in production and CI, so the
limit holds across every web process.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import ALL, core
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
        cache = caches[settings.RATELIMIT_USE_CACHE]
        if hasattr(cache, "incr_with_expiry"):
            usage = _usage_in_one_round_trip(cache, request, route=route)
        else:
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


def _usage_in_one_round_trip(cache, request, *, route: str) -> dict:
    """django-ratelimit's count for this call, with its window and key, in one Redis round trip: INCR and EXPIRE
    pipelined (`tracker.redis_cache.RedisCache.incr_with_expiry`) where django-ratelimit makes three (SET NX,
    then EXISTS and INCRBY for Django's `incr`). The same counter, so processes on either code count together."""
    group, rate = f"inbound.webhook.{route}", settings.WEBHOOK_RATE_LIMIT
    limit, period = core._split_rate(rate)
    value = _key(group, request)
    window = core._get_window(value, period)
    count = cache.incr_with_expiry(
        core._make_cache_key(group, window, rate, value, ALL), period + core.EXPIRATION_FUDGE
    )
    return {"count": count, "limit": limit, "should_limit": count > limit, "time_left": window - int(core.time.time())}
