"""Hands deliveries to Celery by task name, so the services that write the rows never import `tasks` (which import
them). As in `integrations.box.queue`: `signature(name).apply_async()` resolves the registered task, so eager mode
runs it in-process; `apps.OutboundConfig.ready` imports `tasks` so the names exist in every process.

A failure to reach the broker is logged and swallowed: the delivery row is already committed as "pending", and
`outbound_sweep` sends it again once the broker is back.

In eager mode (no broker: `make run`) a task runs inside `apply_async`, and each finished attempt queues the
endpoint's next deliveries, which would nest one call per delivery. Messages sent while one is running are
queued here and run one after another by the outermost call instead.
"""

import logging
import threading

from celery import current_app, signature

logger = logging.getLogger(__name__)

DELIVER = "outbound.deliver"
SWEEP = "outbound.sweep"


_eager = threading.local()


def _apply(delivery_id: int, countdown: float | None) -> None:
    try:
        signature(DELIVER, args=[delivery_id]).apply_async(countdown=countdown)
    except Exception:
        logger.exception("outbound.enqueue_failed", extra={"delivery_id": delivery_id})


def send_delivery(delivery_id: int, *, countdown: float | None = None) -> None:
    """Send the message for one due (or, with `countdown`, soon due) delivery. Call it on commit."""
    if not current_app.conf.task_always_eager:
        _apply(delivery_id, countdown)
        return
    backlog = getattr(_eager, "backlog", None)
    if backlog is not None:
        backlog.append((delivery_id, countdown))
        return
    _eager.backlog = [(delivery_id, countdown)]
    try:
        while _eager.backlog:
            _apply(*_eager.backlog.pop(0))
    finally:
        _eager.backlog = None


def send_deliveries(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        send_delivery(delivery_id)
