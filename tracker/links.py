"""Absolute links to our own pages, for what leaves the site (emails, webhook bodies)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """TRACKER_PUBLIC_URL (scheme and host) + a path from `reverse()`, which already carries the base path."""
    return settings.TRACKER_PUBLIC_URL.rstrip("/") + path
