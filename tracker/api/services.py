"""Writes for the external API's plumbing: API keys and idempotency records.

API keys: the secret is returned once by `api_key_create` and never stored, only its SHA-256. A key is
`st_<prefix>_<random>`; `prefix` finds the row and the hash is compared with `hmac.compare_digest`.

Idempotency records follow Stripe's idempotency keys and the IETF Idempotency-Key draft: the first request
with a key inserts (and commits) a claim before it runs, so a concurrent one with the same key fails on the
unique constraint and is told the first is in progress; a finished request's response is stored and
replayed; a failed (5xx) one releases its claim so that a retry runs.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tracker.errors import ApplicationError, ConflictError
from tracker.models import ApiKey, IdempotencyRecord, Organisation, User
from tracker.permissions import Permission, require_permission

logger = logging.getLogger(__name__)

KEY_TAG = "st"
PREFIX_LENGTH = 8
# last_used_at is written at most this often per key, so a busy client does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# An IN_PROGRESS claim older than this belongs to a request whose process died: a retry may take it over.
IDEMPOTENCY_STALE_AFTER = timedelta(minutes=5)


class IdempotencyKeyReused(ApplicationError):
    status_code = 422


class IdempotencyKeyInProgress(ConflictError):
    pass


def _hash_secret(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash is enough; a slow KDF would only slow every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def _split_secret(secret: str) -> str | None:
    """`st_<prefix>_<random>` -> prefix, or None when the string is not shaped like one of our keys."""
    tag, _, rest = secret.partition("_")
    prefix, _, random_part = rest.partition("_")
    if tag != KEY_TAG or len(prefix) != PREFIX_LENGTH or not random_part:
        return None
    return prefix


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, name: str, scopes: list[str], created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return `(api_key, secret)`. The secret is not stored and cannot be shown again. The
    person creating it (`created_by`) needs ADMIN_SETTINGS."""
    require_permission(created_by, Permission.ADMIN_SETTINGS)
    unknown = set(scopes) - set(ApiKey.Scope.values)
    if unknown:
        raise ApplicationError(f"unknown scopes: {', '.join(sorted(unknown))}")
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        secret = f"{KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    organisation=organisation,
                    name=name,
                    prefix=prefix,
                    secret_hash=_hash_secret(secret),
                    scopes=sorted(set(scopes)),
                    created_by=created_by,
                )
        except IntegrityError:
            continue  # the random prefix collided with another key's: draw again
        logger.info("api_key.created", extra={"api_key_id": api_key.pk, "organisation_id": organisation.pk})
        return api_key, secret
    raise ConflictError("could not generate a unique API key prefix")


@transaction.atomic
def api_key_update(*, api_key: ApiKey, name: str, scopes: list[str], actor=None) -> ApiKey:
    """Rename a key or change its scopes (ADMIN_SETTINGS). The secret stays the same."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    unknown = set(scopes) - set(ApiKey.Scope.values)
    if unknown:
        raise ApplicationError(f"unknown scopes: {', '.join(sorted(unknown))}")
    ApiKey.objects.filter(pk=api_key.pk).update(name=name, scopes=sorted(set(scopes)), updated_at=timezone.now())
    api_key.refresh_from_db()
    return api_key


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    """The active key this secret belongs to, or None (unknown, malformed or revoked)."""
    prefix = _split_secret(secret)
    if prefix is None:
        return None
    api_key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, _hash_secret(secret)):
        return None
    if api_key.revoked_at is not None:
        return None
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION (a conditional UPDATE, no lock)."""
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor=None) -> ApiKey:
    """Revoke a key for good (ADMIN_SETTINGS). Revoking an already revoked key keeps its first revocation time."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    logger.info("api_key.revoked", extra={"api_key_id": api_key.pk})
    return api_key


def idempotency_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same request": method, path and a hash of the raw body."""
    body_hash = hashlib.sha256(body).hexdigest()
    return hashlib.sha256(f"{method.upper()}\n{path}\n{body_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class IdempotencyClaim:
    """The outcome of presenting a key: either this request owns `record` and runs, or it replays `record`."""

    record: IdempotencyRecord
    replay: bool


def idempotency_claim(*, api_key: ApiKey, key: str, method: str, path: str, fingerprint: str) -> IdempotencyClaim:
    """Claim `key` for this request, or find the earlier request's outcome.

    Must run outside any transaction: the claim commits at once, so concurrent requests see it.
    Raises IdempotencyKeyReused (422) when the key was used for a different request and
    IdempotencyKeyInProgress (409) while the first request with the key is still running.
    """
    ttl = timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    for _attempt in range(5):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=api_key,
                    key=key,
                    fingerprint=fingerprint,
                    method=method,
                    path=path[:500],
                    expires_at=now + ttl,
                )
            return IdempotencyClaim(record=record, replay=False)
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if record is None:
            continue  # released between our insert and our read: try to claim it again
        expired = record.expires_at <= now
        in_progress = record.state == IdempotencyRecord.State.IN_PROGRESS
        stale = in_progress and record.updated_at <= now - IDEMPOTENCY_STALE_AFTER
        if expired or stale:
            # Take the old row over with a conditional UPDATE: of several requests racing here, one wins.
            taken = IdempotencyRecord.objects.filter(
                pk=record.pk, state=record.state, updated_at=record.updated_at
            ).update(
                fingerprint=fingerprint,
                method=method,
                path=path[:500],
                state=IdempotencyRecord.State.IN_PROGRESS,
                response_status=None,
                response_body=None,
                expires_at=now + ttl,
                updated_at=now,
            )
            if taken:
                record.refresh_from_db()
                return IdempotencyClaim(record=record, replay=False)
            continue
        if not hmac.compare_digest(record.fingerprint, fingerprint):
            raise IdempotencyKeyReused("idempotency key reused with a different request")
        if record.state == IdempotencyRecord.State.IN_PROGRESS:
            raise IdempotencyKeyInProgress("request with this idempotency key is in progress")
        return IdempotencyClaim(record=record, replay=True)
    raise IdempotencyKeyInProgress("request with this idempotency key is in progress")


def idempotency_complete(*, record: IdempotencyRecord, status: int, body) -> None:
    """Store the response the claimed request produced, for replay until the record expires."""
    IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS).update(
        state=IdempotencyRecord.State.COMPLETED,
        response_status=status,
        response_body=body,
        updated_at=timezone.now(),
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed (5xx), so that a retry with the same key runs again."""
    IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS).delete()


def idempotency_records_expired(now):
    """Retention (tracker/retention.py): records past their TTL, which no request replays any more."""
    return IdempotencyRecord.objects.filter(expires_at__lte=now)
