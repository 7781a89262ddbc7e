"""Hands import work to Celery by task name, so the services never import `tasks` (see integrations/box/queue.py
for the reasoning; `signature(name).apply_async()` still runs in-process in eager mode)."""

import logging

from celery import signature

logger = logging.getLogger(__name__)

PLAN = "spreadsheets.plan"
COMMIT = "spreadsheets.commit"
REQUEUE_STALLED = "spreadsheets.requeue_stalled"


def send(task: str, import_id: int, attempt: int) -> None:
    """Enqueue one attempt of one step of an import. Call it on commit. A broker that cannot be reached is logged;
    the import then stops moving, and the sweep (or the page's Retry) sends it again."""
    try:
        signature(task, args=[import_id], kwargs={"attempt": attempt}).apply_async()
    except Exception:
        logger.exception("spreadsheets.enqueue_failed", extra={"import_id": import_id, "task": task})
