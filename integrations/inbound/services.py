"""Writes for inbound webhooks: the receipt log. The domain writes are the domain's intake services, called by
the receivers exactly as the REST twins and /api/v1 call them.

`webhook_receipt_record` runs in the domain write's transaction when the write succeeded (one commit per call) and
after its rollback when it did not, so the log keeps a row for a call whose write was rolled back. Secrets and
signatures never reach it.
"""

from datetime import timedelta

from django.conf import settings

from tracker.db import insert

from .models import WebhookReceipt

# Webhook intake records its source as "webhook:<system>" ("webhook:omg", "webhook:mkto").
SOURCE_PREFIX = "webhook"


def _loggable(text: str, limit: int | None = None) -> str:
    """Text as the receipt can store it: the caller's key may hold NULs or lone surrogates we refused."""
    text = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:limit] if limit else text


def webhook_receipt_record(
    *,
    route: str,
    status_code: int,
    source_ip: str | None = None,
    external_key: str = "",
    event: str = "",
    payload_id: str = "",
    outcome: str = "",
    body_sha256: str = "",
    body_bytes: int = 0,
    signature_verified: bool = False,
    error: str = "",
    detail: str = "",
    action: str = "",
    object_id: str = "",
) -> WebhookReceipt:
    if outcome and status_code < 400:
        pass  # an adapter's own reading of a 2xx: ignored, stale or duplicate
    elif status_code < 400:
        outcome = WebhookReceipt.Outcome.ACCEPTED
    elif status_code < 500:
        outcome = WebhookReceipt.Outcome.REJECTED
    else:
        outcome = WebhookReceipt.Outcome.FAILED
    receipt = WebhookReceipt(
        route=route,
        status_code=status_code,
        outcome=outcome,
        source_ip=source_ip or None,
        external_key=_loggable(external_key, 600),
        event=_loggable(event, 100),
        payload_id=_loggable(payload_id, 200),
        body_sha256=body_sha256,
        body_bytes=min(body_bytes, 2**31 - 1),
        signature_verified=signature_verified,
        error=_loggable(error),
        detail=_loggable(detail, 2000),
        action=action,
        object_id=object_id[:64],
    )
    insert(receipt)  # every call writes one: `insert` keeps the statement compiled
    return receipt


def webhook_receipts_old(now):
    """Retention (tracker/retention.py): receipts older than WEBHOOK_RECEIPT_RETENTION_DAYS."""
    return WebhookReceipt.objects.filter(created_at__lt=now - timedelta(days=settings.WEBHOOK_RECEIPT_RETENTION_DAYS))
