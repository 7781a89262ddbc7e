"""Writes for outbound webhooks: endpoints (`endpoints`), the in-transaction recorder that turns an event into
delivery rows (`recording`), sending, retrying and sweeping (`delivery`), and sending again by hand (`resend`).

Every delivery is a row before it is a Celery message (`transaction.on_commit`, through `integrations.outbound.queue`
by task name), so a lost message only delays it: `outbound_sweep` sends it again.
"""

from .delivery import (
    outbound_deliveries_old,
    outbound_delivery_attempt,
    outbound_sweep,
    queue_ready,
    ready_deliveries,
)
from .endpoints import (
    outbound_endpoint_create,
    outbound_endpoint_delete,
    outbound_endpoint_disable,
    outbound_endpoint_enable,
    outbound_endpoint_rotate_secret,
    outbound_endpoint_update,
)
from .recording import outbound_record_event
from .resend import outbound_delivery_resend, outbound_endpoint_resend_failed, outbound_endpoint_send_test

__all__ = [
    "outbound_deliveries_old",
    "outbound_delivery_attempt",
    "outbound_delivery_resend",
    "outbound_endpoint_create",
    "outbound_endpoint_delete",
    "outbound_endpoint_disable",
    "outbound_endpoint_enable",
    "outbound_endpoint_resend_failed",
    "outbound_endpoint_rotate_secret",
    "outbound_endpoint_send_test",
    "outbound_endpoint_update",
    "outbound_record_event",
    "outbound_sweep",
    "queue_ready",
    "ready_deliveries",
]
