"""The receiver every upstream adapter shares, on top of `integrations.inbound.receiver`.

After the shared checks (rate limit, POST, size) and the adapter's own `verify` over the raw bytes:

1. body is JSON                     400 {"error": "invalid JSON body"}
2. body is a JSON object            400 {"error": "invalid payload", "issues": [...]}
3. `handle(payload, organisation)` inside ONE transaction, answering
                                    200 {"ok": true, "outcome": "applied" | "ignored" | "stale" | "duplicate", ...}

An event the tracker does not act on is answered 200 and recorded as ignored, never 400, so the sender does not
retry it or switch the webhook off. A refusal raised by a domain service answers in the guide's shape (400, 404,
409); anything unexpected is 500 `upsert failed`, after which the sender's retry applies it.
"""

from abc import abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from rest_framework.response import Response

from integrations.inbound.models import WebhookReceipt
from integrations.inbound.receiver import BaseReceiverApi, WebhookRejected, parse_json
from tracker.errors import ApplicationError
from tracker.services import organisation_default


class Status:
    APPLIED = "applied"
    IGNORED = "ignored"
    STALE = "stale"
    DUPLICATE = "duplicate"


_RECEIPT_OUTCOMES = {
    Status.APPLIED: WebhookReceipt.Outcome.ACCEPTED,
    Status.IGNORED: WebhookReceipt.Outcome.IGNORED,
    Status.STALE: WebhookReceipt.Outcome.STALE,
    Status.DUPLICATE: WebhookReceipt.Outcome.DUPLICATE,
}


@dataclass
class Outcome:
    """What one call did, for the answer and the receipt."""

    status: str = Status.APPLIED
    event: str = ""
    payload_id: str = ""
    object_keys: str = ""  # the upstream object(s) it was about, e.g. "job:…/product:…"
    action: str = ""  # created, updated, noted, completed ...
    object_id: str = ""  # our row's id
    detail: str = ""  # for people reading the receipt: why it was ignored, what it changed


def from_unix_ms(value) -> datetime | None:
    """An upstream time in unix milliseconds as an aware datetime, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return datetime.fromtimestamp(float(value) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def from_iso(value) -> datetime | None:
    """An ISO 8601 time ("2026-05-06T10:00:00Z") as an aware datetime, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class AdapterReceiverApi(BaseReceiverApi):
    """Subclasses set `provider` and `route`, and implement `verify` and `handle`."""

    provider: str

    def respond(self, request, body: bytes):
        payload = parse_json(body)
        if not isinstance(payload, dict):
            raise WebhookRejected(
                400, "invalid payload", {"issues": [{"path": [], "message": "Expected a JSON object."}]}
            )
        try:
            organisation = organisation_default()
        except ApplicationError as error:
            raise self.upsert_failed(error) from error
        self.outcome = Outcome()
        with transaction.atomic(savepoint=False):  # the call's own transaction (`BaseReceiverApi.post`)
            outcome = self.handle(payload, organisation)
        self.outcome = outcome
        return Response({"ok": True, "outcome": outcome.status, "action": outcome.action or None})

    def describe_receipt(self, response) -> None:
        # Whatever the answer, the receipt names the event and objects the call was about.
        outcome = getattr(self, "outcome", None)
        receipt = self.receipt
        if outcome is not None:
            receipt.event = receipt.event or outcome.event
            receipt.payload_id = receipt.payload_id or outcome.payload_id
            receipt.external_key = receipt.external_key or outcome.object_keys
            receipt.action = outcome.action[:10]
            receipt.object_id = outcome.object_id
            if response.status_code < 400:
                receipt.outcome = _RECEIPT_OUTCOMES[outcome.status]
                receipt.detail = outcome.detail

    @abstractmethod
    def handle(self, payload: dict, organisation) -> Outcome:
        """Apply the event through the domain services (inside the call's transaction) and say what happened.
        Set `self.outcome` fields early (event, payload id, object keys) so a refusal's receipt carries them."""
