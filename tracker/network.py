"""Who is calling: the source IP that rate limits, webhook receipts and sign-in lockouts use."""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def source_ip(request) -> str:
    """The caller's IP: `REMOTE_ADDR`, or with TRACKER_TRUSTED_PROXIES = n > 0 the n-th address from the right
    of `X-Forwarded-For`.

    Each trusted proxy appends the address it received the request from, so the n-th entry from the right was
    written by our outermost proxy and is the client it saw; anything further left is the client's own claim.
    A header shorter than n, or an entry that is not an IP address, falls back to `REMOTE_ADDR`.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRACKER_TRUSTED_PROXIES
    if trusted > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            client = _valid_ip(forwarded[-trusted])
            if client:
                return client
    return _valid_ip(remote) or remote
