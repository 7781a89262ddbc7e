"""The Celery app. Workers: `make worker`; periodic tasks: `make beat`."""

import os

from celery import Celery, signals

from . import logging as tracker_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id follows a request into the tasks it queues (tracker/logging.py); failures are counted.
signals.before_task_publish.connect(tracker_logging.celery_before_task_publish, weak=False)
signals.task_prerun.connect(tracker_logging.celery_task_prerun, weak=False)
signals.task_postrun.connect(tracker_logging.celery_task_postrun, weak=False)


@signals.task_failure.connect(weak=False)
def _count_failure(sender=None, **kwargs) -> None:
    # Imported here: prometheus_client picks its multiprocess mode when first imported, which must be after the
    # settings have read PROMETHEUS_MULTIPROC_DIR from `.env`; this module is imported before the settings.
    from . import metrics

    metrics.celery_task_failure(sender=sender)


@signals.setup_logging.connect(weak=False)
def _logging_from_settings(**kwargs) -> None:
    """Workers and beat log through the settings' LOGGING (JSON lines, the request id) instead of Celery's own
    format: connecting this signal is what tells Celery to leave logging alone."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
