"""Pieces the push and inbound services share: errors, backoff, notifications, Box error reading."""

import random
from dataclasses import dataclass

import requests
from box_sdk_gen import BoxAPIError, BoxSDKError
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from deliverables.models import Deliverable
from tracker.errors import ApplicationError
from tracker.models import Organisation, User
from tracker.services import notification_create


class BoxRetryLater(Exception):
    """A retryable failure has been recorded; the Celery task retries after `countdown` seconds.

    For pushes, `next_log_id` is the "queued" row of the next attempt, already committed.
    """

    def __init__(self, reason: str, *, countdown: float, next_log_id: int | None = None):
        super().__init__(reason)
        self.countdown = countdown
        self.next_log_id = next_log_id


class BoxWebhookRejected(ApplicationError):
    status_code = 401


@dataclass
class Failure(Exception):
    """Why an attempt failed, in words for the log row, and whether another attempt could succeed."""

    reason: str
    retryable: bool
    http_status: int | None = None


def box_retry_backoff(*, attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: BOX_RETRY_BACKOFF_SECONDS doubled per attempt, capped, jittered."""
    delay = min(settings.BOX_RETRY_BACKOFF_MAX_SECONDS, settings.BOX_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
    # Jitter spreads out pushes that failed together (a Box outage) so they do not all come back at once.
    return delay * random.uniform(0.8, 1.0)  # noqa: S311 - timing jitter, not a secret


def deliverable_page_url(deliverable: Deliverable) -> str:
    return reverse("deliverables:detail", args=[deliverable.pk])


def admins(organisation: Organisation | None):
    """The active admins of `organisation`; None is the organisation webhook intake goes to, which also has the
    users no organisation claims (as `organisation_for_user` reads them). Never another organisation's admins."""
    slug = organisation.slug if organisation is not None else settings.TRACKER_DEFAULT_ORGANISATION
    ours = Q(organisation__slug=slug)
    if slug == settings.TRACKER_DEFAULT_ORGANISATION:
        ours |= Q(organisation__isnull=True)
    return User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True), ours, is_active=True)


def notify(recipients, *, kind: str, title: str, body: str, url: str) -> None:
    seen = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        notification_create(recipient=user, kind=kind, title=title, body=body, url=url)


def api_failure(error: BoxAPIError) -> Failure:
    info = error.response_info
    body = info.body if isinstance(info.body, dict) else {}
    code = info.code or body.get("error") or ""
    message = body.get("message") or body.get("error_description") or ""
    reason = f"Box answered {info.status_code}" + (f" {code}" if code else "") + (f": {message}" if message else "")
    return Failure(reason, retryable=info.status_code == 429 or info.status_code >= 500, http_status=info.status_code)


def sdk_failure(error: BoxSDKError) -> Failure:
    """A BoxSDKError without an HTTP answer: a network error (retryable) or a client-side problem (not)."""
    if isinstance(error.error, requests.RequestException):
        return Failure(f"network error talking to Box: {error.error.__class__.__name__}", retryable=True)
    return Failure(f"Box client error: {error.message[:300]}", retryable=False)
