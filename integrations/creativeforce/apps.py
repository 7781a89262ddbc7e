from django.apps import AppConfig


class CreativeForceConfig(AppConfig):
    name = "integrations.creativeforce"
    label = "creativeforce"
    verbose_name = "Creative Force"

    def ready(self) -> None:
        from integrations.inbound.models import WebhookReceipt
        from integrations.upstream.registry import Adapter, register_adapter
        from projects.search import register_searchable_custom_field

        from . import defaults
        from .mapping import PROVIDER
        from .receiver import SECRET_SETTING

        register_adapter(
            Adapter(
                provider=PROVIDER,
                label="Creative Force",
                routes=[(WebhookReceipt.Route.CREATIVE_FORCE, "creativeforce:webhook")],
                secret_setting=SECRET_SETTING,
                docs_anchor="creative-force",
            )
        )
        for key in defaults.SEARCHABLE_FIELDS:
            register_searchable_custom_field(key)
