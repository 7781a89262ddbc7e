"""The sign-in and access audit: one function writes every row."""

import logging

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from tracker.models import Organisation, User
from tracker.network import source_ip

from ..models import LoginEvent

logger = logging.getLogger(__name__)


def request_channel(request: HttpRequest | None) -> str:
    """Where a sign-in came from: Django admin's login, the single sign-on callback, or the site's page."""
    if request is None:
        return LoginEvent.Channel.SYSTEM
    path = request.path or ""
    try:
        if path.startswith(reverse("admin:index")):
            return LoginEvent.Channel.ADMIN
        if path.startswith(reverse("accounts:sso_callback")):
            return LoginEvent.Channel.SSO
    except NoReverseMatch:  # pragma: no cover - both are always routed
        pass
    return LoginEvent.Channel.SITE


def login_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    actor: User | None = None,
    organisation: Organisation | None = None,
    channel: str | None = None,
    detail: dict | None = None,
) -> LoginEvent:
    """Write one audit row. Who (the subject `user`, or the `username` typed when no user matched; the `actor`
    when someone else acted), when, from where (the request's source address and browser) and what.

    Callers pass names, roles and addresses only: never a password, token or session key.
    """
    ip = source_ip(request) if request is not None else ""
    agent = request.META.get("HTTP_USER_AGENT", "")[:255] if request is not None else ""
    if organisation is None and user is not None:
        organisation = user.organisation
    event = LoginEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:254],
        actor=actor,
        organisation=organisation,
        channel=channel or request_channel(request),
        ip_address=ip or None,
        user_agent=agent,
        detail=detail or {},
    )
    logger.info(
        "accounts.%s",
        kind.lower(),
        extra={"user_id": user.pk if user else None, "actor_id": actor.pk if actor else None, "ip": ip},
    )
    return event
