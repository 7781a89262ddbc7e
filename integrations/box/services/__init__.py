"""Writes for the Box integration: pushing approved work out, and turning files dropped in Box into revisions.

Outbound. A push is queued as a BoxPushLog row ("queued") and only then sent to Celery (`transaction.on_commit`,
through `integrations.box.queue` by task name: the services never import `tasks`, which import them), so nothing
is lost if the message is: `box_push_sweep` re-sends rows stuck in "queued". Each attempt claims its
row under a lease it renews as it works, talks to Box outside any transaction, and records the outcome only while
it still holds the lease; a lease that ran out (the worker died) lets the sweep hand the row to a new attempt
within minutes. Before uploading, an attempt checks what Box already holds (`upload.push_revision`): the same
file with the same SHA-1 is recorded, not uploaded again, so a push lands in Box once however often it is
retried. Network errors, 429 and 5xx are retried with exponential backoff up to BOX_PUSH_MAX_ATTEMPTS (a new
"queued" row per attempt, written before the retry message is sent); any other 4xx, or Box not being configured,
fails at once with the reason.

Inbound. `box_inbound_receive` verifies Box's signature on the raw body, dedupes on the event id (a unique
constraint) and queues the download; `box_inbound_process` matches the parent folder by OMG number + slug and
stores the file as the deliverable's next revision. Every delivery is a BoxInboundLog row. Keys, tokens and
signatures are never logged.
"""

from .common import BoxRetryLater, BoxWebhookRejected, box_retry_backoff, deliverable_page_url
from .inbound import (
    box_folder_match,
    box_inbound_process,
    box_inbound_receive,
    box_inbound_retry,
    box_webhook_verify,
)
from .push import (
    box_push_attempt,
    box_push_on_approval,
    box_push_queue,
    box_push_retry,
    box_push_send,
    box_push_sweep,
)

__all__ = [
    "BoxRetryLater",
    "BoxWebhookRejected",
    "box_folder_match",
    "box_inbound_process",
    "box_inbound_receive",
    "box_inbound_retry",
    "box_push_attempt",
    "box_push_on_approval",
    "box_push_queue",
    "box_push_retry",
    "box_push_send",
    "box_push_sweep",
    "box_retry_backoff",
    "box_webhook_verify",
    "deliverable_page_url",
]
