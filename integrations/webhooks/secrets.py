"""Inbound secrets with rotation: every secret setting `<NAME>` has a `<NAME>_PREVIOUS`.

While an upstream system switches to a new secret, calls signed with either are accepted; once it has switched,
the operator clears `<NAME>_PREVIOUS`.
"""

from collections.abc import Callable, Iterable

from django.conf import settings


def configured_secrets(setting_name: str) -> list[str]:
    """The current and the previous secret, whichever are set (empty: the route is not configured)."""
    values = (getattr(settings, setting_name, ""), getattr(settings, f"{setting_name}_PREVIOUS", ""))
    return [value for value in values if value]


def any_matches(secrets: Iterable[str], check: Callable[[str], bool]) -> bool:
    """Whether `check` accepts any secret. Every secret is tried, so the time taken does not say which one matched."""
    results = [check(secret) for secret in secrets]
    return any(results)
