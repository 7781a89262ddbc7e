"""Per-API-key rate limit on the shared cache (Redis in production), so every web process counts together."""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)


def _api_key_id(group, request) -> str:
    return str(request.auth.pk)


class ApiKeyRateThrottle(BaseThrottle):
    """API_KEY_RATE_LIMIT (e.g. "600/m") requests per key per window; over it, 429 with Retry-After.

    Uses django-ratelimit's fixed-window counter, which increments atomically in the cache (no lost updates
    between concurrent requests, unlike a read-modify-write of a timestamp list).

    When the cache cannot be reached (Redis down, or hung past the cache's short socket timeouts) the request is
    let through and `api.ratelimit_unavailable` is logged: the limit is a safety rail, and refusing every client
    while Redis is away would lose more than an unmetered minute costs.
    """

    def __init__(self):
        self._wait = None

    def allow_request(self, request, view) -> bool:
        if getattr(request, "auth", None) is None:
            return True
        try:
            usage = get_usage(
                request, group="api-v1", key=_api_key_id, rate=settings.API_KEY_RATE_LIMIT, increment=True
            )
        except Exception:
            logger.warning("api.ratelimit_unavailable", exc_info=True, extra={"api_key_id": request.auth.pk})
            return True
        if usage is None or not usage["should_limit"]:
            return True
        self._wait = usage["time_left"]
        return False

    def wait(self):
        return self._wait
