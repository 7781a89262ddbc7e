"""Errors to Sentry (sentry-sdk, Django and Celery integrations), switched on by SENTRY_DSN in settings.

What leaves the process is scrubbed first: `send_default_pii=False` keeps users, IP addresses and cookies out,
and `scrub_event` blanks what the SDK does not know is secret here: the webhook signature headers
(`X-Brief-Signature`, `BOX-SIGNATURE-PRIMARY`, `webhook-signature`, ...), callback secrets, API keys, bearer
tokens and cookies, wherever they appear in the event (request, frame variables, extra data, breadcrumbs).
"""

import re
from typing import Any

FILTERED = "[Filtered]"

# A key (header, cookie, query parameter, variable, dict key) whose value is never sent.
SENSITIVE_KEY = re.compile(
    r"signature|secret|token|passw|api[-_]?key|authorization|auth[-_]?header|cookie|session|csrf|credential"
    r"|private[-_]?key|dsn",
    re.IGNORECASE,
)
# Values that are secrets whatever they are called: signatures as we and Standard Webhooks write them, bearer
# tokens, our API keys (`st_<prefix>_<random>`).
SENSITIVE_VALUE = re.compile(
    r"sha256=[0-9a-fA-F]{16,}"
    r"|\bv1[,=][A-Za-z0-9+/=]{16,}"
    r"|\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"
    r"|\bst_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{8,}",
    re.IGNORECASE,
)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and SENSITIVE_KEY.search(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub_pair(item) for item in value]
    if isinstance(value, str):
        return SENSITIVE_VALUE.sub(FILTERED, value)
    return value


def _scrub_pair(item: Any) -> Any:
    """Headers and query strings also arrive as [name, value] pairs."""
    if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str):
        return [item[0], FILTERED if SENSITIVE_KEY.search(item[0]) else _scrub(item[1])]
    return _scrub(item)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """`before_send`: the event with every sensitive key's value and every secret-shaped string replaced by
    "[Filtered]". Cookies and the raw query string go whole: they cannot be told apart piece by piece."""
    event = _scrub(event)
    request = event.get("request")
    if isinstance(request, dict):
        if "cookies" in request:
            request["cookies"] = FILTERED
        if isinstance(request.get("query_string"), str) and request["query_string"]:
            request["query_string"] = _scrub_query(request["query_string"])
    return event


def _scrub_query(query: str) -> str:
    parts = []
    for part in query.split("&"):
        name, sep, _ = part.partition("=")
        parts.append(f"{name}={FILTERED}" if sep and SENSITIVE_KEY.search(name) else part)
    return "&".join(parts)


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Called from settings when SENTRY_DSN is set: the web processes and the Celery workers both load them."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        traces_sample_rate=traces_sample_rate,
    )
