from django.apps import AppConfig


class UpstreamConfig(AppConfig):
    name = "integrations.upstream"
    label = "upstream"
    verbose_name = "Upstream adapters"

    def ready(self) -> None:
        from tracker.navigation import SETTINGS, register_nav_item
        from tracker.retention import register_retention

        from .services import processed_payloads_old

        register_retention(
            "upstream.payloads", processed_payloads_old, "applied adapter payloads, UPSTREAM_PAYLOAD_RETENTION_DAYS"
        )
        register_nav_item("integrations", "Integrations", "upstream:integrations", 45, SETTINGS)

        from .home import register_tiles

        register_tiles()
