"""`POST /api/webhooks/creativeforce`: Creative Force's webhooks, verified, deduplicated, ordered and applied.

Creative Force signs the raw body: `X-CF-Signature` is the lowercase hex HMAC-SHA256 of the body bytes, keyed
with the webhook's secret exactly as CF shows it (a Base64 string, used as text). The event's name is in
`X-CF-Event` ("Task completed"); the body says the same in `EventGroupName` and `Action`.
"""

import hashlib
import hmac

from integrations.inbound.models import WebhookReceipt
from integrations.inbound.receiver import WebhookRejected, header_or_refuse, secrets_or_refuse
from integrations.upstream import services as upstream
from integrations.upstream.receiver import AdapterReceiverApi, Outcome, Status
from integrations.webhooks.secrets import any_matches

from .mapping import PROVIDER, on_job
from .payload import CfEvent, event_label, object_keys, read_event, text
from .products import on_product, on_work_unit
from .tasks import on_task

SECRET_SETTING = "CREATIVE_FORCE_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-CF-Signature"
EVENT_HEADER = "X-CF-Event"

# EventGroupName (folded) -> handler. Sample, User and Session events, and any group CF adds later, are
# acknowledged and recorded as ignored.
HANDLERS = {"job": on_job, "product": on_product, "task": on_task, "workunit": on_work_unit}


def signature_for(secret: str, body: bytes) -> str:
    """What Creative Force puts in X-CF-Signature for `body` (its Ruby example: OpenSSL::HMAC.hexdigest)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class CreativeForceWebhookApi(AdapterReceiverApi):
    provider = PROVIDER
    route = WebhookReceipt.Route.CREATIVE_FORCE

    def verify(self, request, body: bytes) -> None:
        self.receipt.event = text(request.headers.get(EVENT_HEADER))[:100]
        secrets = secrets_or_refuse(SECRET_SETTING)
        provided = header_or_refuse(request, SIGNATURE_HEADER)
        provided_bytes = provided.lower().encode("utf-8", "backslashreplace")
        if not any_matches(
            secrets, lambda secret: hmac.compare_digest(signature_for(secret, body).encode(), provided_bytes)
        ):
            raise WebhookRejected(401, "signature mismatch")
        self.receipt.signature_verified = True

    def handle(self, payload: dict, organisation) -> Outcome:
        # Named first, so that the receipt of a payload refused below still says what it was about.
        outcome = self.outcome
        outcome.event, outcome.payload_id = event_label(payload)[:100], text(payload.get("PayloadId"))[:200]
        outcome.object_keys = object_keys(payload)[:600]
        event = read_event(payload)
        handler = HANDLERS.get(event.group)
        if handler is None:
            outcome.status, outcome.detail = Status.IGNORED, f"{outcome.event or 'this event'} is not acted on here"
            return outcome
        if not upstream.payload_claim(provider=PROVIDER, payload_id=event.payload_id):
            outcome.status, outcome.detail = Status.DUPLICATE, "payload already applied"
            return outcome
        return self._applied(outcome, handler(organisation, event), event)

    @staticmethod
    def _applied(outcome: Outcome, result, event: CfEvent) -> Outcome:
        outcome.status, outcome.action, outcome.object_id = result.status, result.action, result.object_id
        outcome.detail = result.detail or (
            "older than the last event applied to this object" if result.status == Status.STALE else ""
        )
        return outcome
