"""Hands emails to Celery by task name, so the services that record them never import `tracker.tasks`.

As in `integrations.box.queue`: a failure to reach the broker is logged and swallowed, since the row is already
committed as PENDING and `emails_sweep` sends it once the broker is back.
"""

import logging

from celery import signature

logger = logging.getLogger(__name__)

SEND = "tracker.email_send"
SWEEP = "tracker.emails_sweep"
DIGESTS = "tracker.email_digests"


def send_email(message_id: int, *, countdown: float | None = None) -> None:
    """Send the message for one PENDING email row. Call it on commit."""
    try:
        signature(SEND, args=[message_id]).apply_async(countdown=countdown)
    except Exception:
        logger.exception("tracker.email_enqueue_failed", extra={"email_id": message_id})
