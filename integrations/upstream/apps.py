from django.apps import AppConfig


class UpstreamConfig(AppConfig):
    name = "integrations.upstream"
    label = "upstream"
    verbose_name = "Upstream adapters"

    def ready(self) -> None:
        from tracker.navigation import SETTINGS, register_nav_item

        register_nav_item("integrations", "Integrations", "upstream:integrations", 45, SETTINGS)
