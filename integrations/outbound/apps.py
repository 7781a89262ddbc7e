from django.apps import AppConfig


class OutboundConfig(AppConfig):
    name = "integrations.outbound"
    label = "outbound"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        # The domain emits events and never imports this app: each event's deliveries are recorded from here, inside
        # the emitting transaction, and sent by Celery once it commits.
        from tracker.events import ALL_EVENTS, subscribe_in_transaction
        from tracker.navigation import SETTINGS, register_nav_item

        # `tasks` registers the task names `queue` sends by, in every process (web included, for eager mode).
        from . import checks, tasks  # noqa: F401
        from .services import outbound_record_event

        subscribe_in_transaction(ALL_EVENTS, outbound_record_event)
        register_nav_item("webhooks", "Webhooks", "outbound:endpoints", 40, SETTINGS)

        from tracker.retention import register_retention

        from .services import outbound_deliveries_old

        register_retention(
            "outbound.deliveries",
            outbound_deliveries_old,
            "finished deliveries and their attempts, OUTBOUND_WEBHOOK_RETENTION_DAYS",
        )

        from .home import register_tiles

        register_tiles()
