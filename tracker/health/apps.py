from django.apps import AppConfig


class HealthConfig(AppConfig):
    """An app of its own so the Celery worker autodiscovers the heartbeat task (`tracker.health.tasks`)."""

    name = "tracker.health"
    label = "tracker_health"
    verbose_name = "Health checks"
