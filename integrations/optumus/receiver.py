"""`POST /api/webhooks/optumus`: Optumus Analytics' webhooks (seed 004), on the shared adapter receiver.

`verify` checks, in this order, each failure a 401 in the guide's error shape: the secret is configured, both
headers are present, the timestamp is unix milliseconds, the signature matches (the current secret or the
previous one during a rotation, every secret tried), and the timestamp is inside the window (`signing`). Only
then is the body parsed; `mapping.handle` does the rest.
"""

from datetime import UTC, datetime

from integrations.inbound.models import WebhookReceipt
from integrations.inbound.receiver import WebhookRejected, header_or_refuse, secrets_or_refuse
from integrations.upstream.models import Provider
from integrations.upstream.receiver import AdapterReceiverApi
from integrations.webhooks.secrets import any_matches

from . import mapping, signing

SECRET_SETTING = "OPTUMUS_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-Optumus-Signature"
TIMESTAMP_HEADER = "X-Optumus-Timestamp"


class OptumusWebhookApi(AdapterReceiverApi):
    provider = Provider.OPTUMUS
    route = WebhookReceipt.Route.OPTUMUS

    def verify(self, request, body: bytes) -> None:
        secrets = secrets_or_refuse(SECRET_SETTING)
        signature = header_or_refuse(request, SIGNATURE_HEADER)
        timestamp = header_or_refuse(request, TIMESTAMP_HEADER, "missing timestamp header")
        try:
            signed_ms = signing.parse_timestamp(timestamp)
        except signing.SignatureRefused as error:
            raise WebhookRejected(401, str(error)) from error
        if not any_matches(secrets, lambda secret: signing.signature_matches(secret, timestamp, body, signature)):
            raise WebhookRejected(401, "signature mismatch")
        # Checked after the signature, so the receipt of a replayed old request says so rather than "mismatch".
        try:
            signing.check_window(signed_ms)
        except signing.SignatureRefused as error:
            raise WebhookRejected(401, str(error)) from error
        self.signed_at = datetime.fromtimestamp(signed_ms / 1000, tz=UTC)
        self.receipt.signature_verified = True

    def handle(self, payload: dict, organisation):
        return mapping.handle(
            payload,
            organisation=organisation,
            payload_id=self.receipt.body_sha256,
            signed_at=self.signed_at,
            outcome=self.outcome,
        )
