"""The two CMP webhook routes. CMP sends the secret given at registration as it is, in the `Callback-Secret`
header (seed 003): it is compared in constant time with OPTIMIZELY_CMP_CALLBACK_SECRET and, during a rotation,
OPTIMIZELY_CMP_CALLBACK_SECRET_PREVIOUS, before the body is parsed."""

import hashlib
import hmac

from integrations.inbound.models import WebhookReceipt
from integrations.inbound.receiver import WebhookRejected, header_or_refuse, secrets_or_refuse
from integrations.upstream.receiver import AdapterReceiverApi, Outcome
from integrations.webhooks.secrets import any_matches

from . import mapping
from .constants import PROVIDER, SECRET_SETTING

HEADER = "Callback-Secret"


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()


class CmpReceiverApi(AdapterReceiverApi):
    provider = PROVIDER

    def verify(self, request, body: bytes) -> None:
        secrets = secrets_or_refuse(SECRET_SETTING)
        sent = header_or_refuse(request, HEADER, f"missing {HEADER} header")
        # Digests of both sides are compared, so not even the secret's length shows in the time taken.
        sent_digest = _digest(sent)
        if not any_matches(secrets, lambda secret: hmac.compare_digest(_digest(secret), sent_digest)):
            raise WebhookRejected(401, f"invalid {HEADER}")
        self.receipt.signature_verified = True


class TaskEventsApi(CmpReceiverApi):
    """`POST /api/webhooks/optimizely/task-events`: task_asset_added, task_step_*, task_assignee_changed,
    task_due_date_changed."""

    route = WebhookReceipt.Route.OPTIMIZELY_TASK

    def handle(self, payload: dict, organisation) -> Outcome:
        return mapping.handle_task_event(
            payload, organisation, body_sha256=self.receipt.body_sha256, outcome=self.outcome
        )


class ContentEventsApi(CmpReceiverApi):
    """`POST /api/webhooks/optimizely/content-events`: asset_added, content_published."""

    route = WebhookReceipt.Route.OPTIMIZELY_CONTENT

    def handle(self, payload: dict, organisation) -> Outcome:
        return mapping.handle_content_event(
            payload, organisation, body_sha256=self.receipt.body_sha256, outcome=self.outcome
        )
