from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .navigation import SETTINGS, register_nav_item

        register_nav_item("home", "Home", "home", 0)
        register_nav_item("api_keys", "API keys", "api_keys", 20, SETTINGS)
