"""Celery adapters for imports: take the import's id, call one service. The services record failures."""

from celery import shared_task
from django.conf import settings

from . import queue, services

LIMITS = {
    "soft_time_limit": settings.SPREADSHEET_IMPORT_TIME_LIMIT,
    "time_limit": settings.SPREADSHEET_IMPORT_TIME_LIMIT + 60,
}


@shared_task(name=queue.PLAN, **LIMITS)
def spreadsheet_import_plan(import_id: int) -> None:
    services.spreadsheet_import_plan(import_id=import_id)


@shared_task(name=queue.COMMIT, **LIMITS)
def spreadsheet_import_commit(import_id: int) -> None:
    services.spreadsheet_import_commit(import_id=import_id)
