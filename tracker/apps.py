from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        # The system checks, and the tasks under their names in every process (web included), so `mail.queue`
        # finds them by name and eager mode runs them in-process.
        from . import checks, tasks  # noqa: F401
        from .navigation import SETTINGS, register_nav_item

        register_nav_item("api_keys", "API keys", "api_keys", 20, SETTINGS)
