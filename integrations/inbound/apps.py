from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "integrations.inbound"
    label = "inbound"

    def ready(self) -> None:
        from tracker.retention import register_retention

        from .services import webhook_receipts_old

        register_retention("inbound.receipts", webhook_receipts_old, "webhook receipts, WEBHOOK_RECEIPT_RETENTION_DAYS")
