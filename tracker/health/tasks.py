from celery import shared_task

from tracker.health.checks import heartbeat_record


@shared_task(name="tracker.health_heartbeat", ignore_result=True)
def health_heartbeat() -> None:
    """Periodic (beat): record that a worker ran a task just now. `/readyz` fails when the last one is too old,
    which means beat, the broker or every worker has stopped. Safe to run any number of times."""
    heartbeat_record()
