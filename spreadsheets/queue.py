"""Hands import work to Celery by task name, so the services never import `tasks` (see integrations/box/queue.py
for the reasoning; `signature(name).apply_async()` still runs in-process in eager mode)."""

import logging

from celery import signature

logger = logging.getLogger(__name__)

PLAN = "spreadsheets.plan"
COMMIT = "spreadsheets.commit"


def send(task: str, import_id: int) -> None:
    """Enqueue one step of an import. Call it on commit. A broker that cannot be reached is logged, and the import
    stays in its running state until an operator re-sends the task (`spreadsheets.plan` / `spreadsheets.commit`
    with the import's id)."""
    try:
        signature(task, args=[import_id]).apply_async()
    except Exception:
        logger.exception("spreadsheets.enqueue_failed", extra={"import_id": import_id, "task": task})
