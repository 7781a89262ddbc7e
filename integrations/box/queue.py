"""Hands Box work to Celery by task name, so the services that record the work never import `tasks`.

`tasks` are adapters over `services` (take an id, call a service); if `services` imported `tasks` back to
enqueue, the two modules would form a cycle that only function-level imports could hide. Here the services
write their row first and, on commit, call `send_push` / `send_inbound`, which name the task; `tasks.py` registers
its tasks under the same names. `signature(name).apply_async()` resolves the registered task, so eager mode
(CELERY_TASK_ALWAYS_EAGER, the zero-setup default) still runs it in-process; `apps.BoxConfig.ready` imports
`tasks` so the names are registered in every process, web included.

A failure to reach the broker is logged and swallowed: the row is already committed as "queued", and
`box_push_sweep` sends it again once the broker is back.
"""

import logging

from celery import signature

logger = logging.getLogger(__name__)

PUSH = "box.push"
INBOUND_PROCESS = "box.inbound_process"
PUSH_SWEEP = "box.push_sweep"


def send_push(push_log_id: int) -> None:
    """Send the message for one push attempt's "queued" row. Call it on commit."""
    try:
        signature(PUSH, args=[push_log_id]).apply_async()
    except Exception:
        logger.exception("box.push_enqueue_failed", extra={"push_log_id": push_log_id})


def send_inbound(inbound_log_id: int) -> None:
    """Send the message that downloads one "queued" inbound event. Call it on commit."""
    try:
        signature(INBOUND_PROCESS, args=[inbound_log_id]).apply_async()
    except Exception:
        logger.exception("box.inbound_enqueue_failed", extra={"inbound_log_id": inbound_log_id})
