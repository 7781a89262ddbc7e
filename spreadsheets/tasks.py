"""Celery adapters for imports: take the import's id (and the attempt it was sent for), call one step. The steps
record their failures."""

from celery import shared_task
from django.conf import settings

from . import queue, services, steps

LIMITS = {
    "soft_time_limit": settings.SPREADSHEET_IMPORT_TIME_LIMIT,
    "time_limit": settings.SPREADSHEET_IMPORT_TIME_LIMIT + 60,
}


@shared_task(name=queue.PLAN, **LIMITS)
def spreadsheet_import_plan(import_id: int, attempt: int | None = None) -> None:
    steps.spreadsheet_import_plan(import_id=import_id, attempt=attempt)


@shared_task(name=queue.COMMIT, **LIMITS)
def spreadsheet_import_commit(import_id: int, attempt: int | None = None) -> None:
    steps.spreadsheet_import_commit(import_id=import_id, attempt=attempt)


@shared_task(name=queue.REQUEUE_STALLED)
def spreadsheet_imports_requeue_stalled() -> int:
    return services.spreadsheet_imports_requeue_stalled()
