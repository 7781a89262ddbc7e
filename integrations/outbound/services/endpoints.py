"""Endpoints: create, edit, rotate the secret, enable, disable, delete. Every write needs ADMIN_SETTINGS, from the
settings page and Django admin alike. A URL is checked against every rule (`addresses`), the DNS lookup included,
each time it is saved."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from integrations.webhooks.addresses import AddressRefused, check_url
from tracker.errors import ApplicationError
from tracker.models import Organisation, User
from tracker.permissions import Permission, require_permission

from .. import clock
from ..catalogue import SUBSCRIBABLE
from ..models import OutboundDelivery, OutboundEndpoint
from ..signing import secret_generate
from .common import notify_admins

logger = logging.getLogger(__name__)

DISABLED = "not sent: the endpoint is disabled"


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    try:
        check_url(url)
    except AddressRefused as error:
        raise AddressRefused(error.message, {"field": "url"}) from error
    return url


def _events(events: Iterable[str], all_events: bool) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    unknown = [name for name in chosen if name not in SUBSCRIBABLE]
    if unknown:
        raise ApplicationError(f"unknown event {unknown[0]!r}", {"field": "events"})
    if not chosen and not all_events:
        raise ApplicationError("choose at least one event, or all events", {"field": "events"})
    return [name for name in SUBSCRIBABLE if name in chosen]


def _lock(endpoint: OutboundEndpoint) -> OutboundEndpoint:
    return OutboundEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)


@transaction.atomic
def outbound_endpoint_create(
    *,
    organisation: Organisation,
    actor: User | None,
    url: str,
    description: str = "",
    events: Iterable[str] = (),
    all_events: bool = False,
    is_active: bool = True,
) -> tuple[OutboundEndpoint, str]:
    """Add an endpoint with a new signing secret. Returns the endpoint and the secret, to be shown once."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    secret = secret_generate()
    endpoint = OutboundEndpoint.objects.create(
        organisation=organisation,
        url=_checked_url(url),
        description=(description or "").strip()[:255],
        all_events=bool(all_events),
        events=_events(events, all_events),
        is_active=bool(is_active),
        disabled_at=None if is_active else clock.now(),
        disabled_reason="" if is_active else f"created disabled by {actor or 'an administrator'}",
        secret=secret,
        created_by=actor,
    )
    logger.info("outbound.endpoint_created", extra={"endpoint_id": endpoint.pk})
    return endpoint, secret


@transaction.atomic
def outbound_endpoint_update(
    *,
    endpoint: OutboundEndpoint,
    actor: User | None,
    url: str,
    description: str = "",
    events: Iterable[str] = (),
    all_events: bool = False,
) -> OutboundEndpoint:
    """Change where an endpoint points and what it hears. Deliveries already recorded keep their bodies."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    endpoint = _lock(endpoint)
    endpoint.url = _checked_url(url)
    endpoint.description = (description or "").strip()[:255]
    endpoint.all_events = bool(all_events)
    endpoint.events = _events(events, all_events)
    endpoint.save(update_fields=["url", "description", "all_events", "events", "updated_at"])
    return endpoint


@transaction.atomic
def outbound_endpoint_rotate_secret(*, endpoint: OutboundEndpoint, actor: User | None) -> tuple[OutboundEndpoint, str]:
    """A new secret, shown once. The old one keeps signing (next to the new) for OUTBOUND_WEBHOOK_SECRET_OVERLAP_HOURS,
    so the receiver can switch without losing a delivery; a secret older than that is dropped."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    endpoint = _lock(endpoint)
    secret = secret_generate()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = clock.now() + timedelta(hours=settings.OUTBOUND_WEBHOOK_SECRET_OVERLAP_HOURS)
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    logger.info("outbound.secret_rotated", extra={"endpoint_id": endpoint.pk})
    return endpoint, secret


@transaction.atomic
def outbound_endpoint_enable(*, endpoint: OutboundEndpoint, actor: User | None) -> OutboundEndpoint:
    """Switch an endpoint back on, with a clean record: its past failures no longer count towards disabling it."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    endpoint = _lock(endpoint)
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = True, None, "", None
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "failing_since", "updated_at"])
    return endpoint


@transaction.atomic
def outbound_endpoint_disable(*, endpoint: OutboundEndpoint, actor: User | None) -> OutboundEndpoint:
    """Pause an endpoint: no new deliveries are recorded for it, and the waiting ones fail unsent."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    endpoint = _lock(endpoint)
    if endpoint.is_active:
        endpoint_disable_locked(endpoint, reason=f"disabled by {actor or 'an administrator'}", notify=False)
    return endpoint


def endpoint_disable_locked(endpoint: OutboundEndpoint, *, reason: str, notify: bool) -> None:
    """Disable a locked endpoint: its waiting deliveries fail unsent (to be resent once it is enabled again), and
    the organisation's admins are told when the system did it."""
    now = clock.now()
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason[:500]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    OutboundDelivery.objects.filter(
        endpoint=endpoint, status=OutboundDelivery.Status.PENDING, trigger=OutboundDelivery.Trigger.EVENT
    ).update(status=OutboundDelivery.Status.FAILED, next_attempt_at=None, last_error=DISABLED, updated_at=now)
    logger.warning("outbound.endpoint_disabled", extra={"endpoint_id": endpoint.pk, "reason": reason})
    if notify:
        notify_admins(
            endpoint.organisation,
            title=f"Webhook endpoint disabled: {endpoint}",
            body=f"{endpoint.url} was disabled: {reason}. Fix the receiver, then enable it again.",
            endpoint_id=endpoint.pk,
        )


@transaction.atomic
def outbound_endpoint_delete(*, endpoint: OutboundEndpoint, actor: User | None) -> None:
    """Remove an endpoint with its delivery log."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    _lock(endpoint).delete()
