"""The glue between django-axes and the tracker: what is counted, what a locked-out person is told, who is locked.

Counting and locking are axes' own (its cache handler on the shared cache). Each failed sign-in adds one to the
count of the account name tried and one to the count of the source address (`tracker.network.source_ip`, behind
TRACKER_TRUSTED_PROXIES): either reaching AXES_FAILURE_LIMIT refuses sign-ins for it until AXES_COOLOFF_TIME has
passed since its last failure. The cache entry expires by itself, so a lockout ends without anyone acting.
"""

import logging
from datetime import datetime

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, make_cache_key_list
from axes.models import AccessBase
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from tracker.network import source_ip

logger = logging.getLogger(__name__)

COUNTED = ("username", "ip_address")


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: count the account and the address apart, and only what is known.

    Axes would otherwise count a sign-in without a name (a single sign-on callback) under the empty name, one key
    shared by every such attempt, so a few failures would lock single sign-on for everyone.
    """
    if isinstance(request_or_attempt, AccessBase):
        values = {"username": request_or_attempt.username, "ip_address": request_or_attempt.ip_address}
    else:
        values = {
            "username": get_client_username(request_or_attempt, credentials),
            "ip_address": source_ip(request_or_attempt),
        }
    return [name for name in COUNTED if values[name]]


def _cache():
    return caches[settings.AXES_CACHE]


def _username_key(username: str) -> str:
    return make_cache_key_list([{"username": username}])[0]


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these account names are locked out now: one cache round trip however many names."""
    if not usernames:
        return set()
    keys = {_username_key(name): name for name in usernames}
    try:
        counts = _cache().get_many(list(keys))
    except Exception:  # the page still shows the people; their lockouts are unknown until the cache is back
        logger.warning("accounts.lockout_unavailable", exc_info=True)
        return set()
    return {keys[key] for key, count in counts.items() if count >= settings.AXES_FAILURE_LIMIT}


def lockout_clear(*, username: str, ip_addresses: list[str]) -> None:
    """Forget the failures of an account name and of the addresses it was locked out from."""
    AxesProxyHandler.reset_attempts(username=username)
    for address in ip_addresses:
        AxesProxyHandler.reset_attempts(ip_address=address)


def lockout_ends_at(request) -> datetime:
    """When a request refused just now may try again: the lockout runs AXES_COOLOFF_TIME from the last failure,
    and a sign-in tried while locked out counts as one (axes' default), so that is from now."""
    return timezone.now() + (get_cool_off(request) or settings.AXES_COOLOFF_TIME)


class FailOpenCacheHandler(AxesCacheHandler):
    """Axes' cache handler, except that a cache that does not answer lets sign-ins through (and says so in the
    log) rather than failing every sign-in with a 500. The lockout is a rail against guessing, like the webhooks'
    rate limit: while Redis is down, passwords are still checked, only not counted."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        try:
            return super().get_failures(request, credentials)
        except Exception:
            logger.warning("accounts.lockout_unavailable", exc_info=True)
            return 0

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        try:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        except Exception:
            logger.warning("accounts.lockout_unavailable", exc_info=True)

    def user_logged_in(self, sender, request, user, **kwargs):
        try:
            return super().user_logged_in(sender, request, user, **kwargs)
        except Exception:
            logger.warning("accounts.lockout_unavailable", exc_info=True)
