from django.apps import AppConfig


class OptumusConfig(AppConfig):
    name = "integrations.optumus"
    label = "optumus"
    verbose_name = "Optumus Analytics"

    def ready(self) -> None:
        from integrations.upstream.models import Provider
        from integrations.upstream.registry import Adapter, register_adapter

        from .receiver import SECRET_SETTING

        register_adapter(
            Adapter(
                provider=Provider.OPTUMUS,
                label="Optumus Analytics",
                routes=[("optumus", "optumus:webhook")],
                secret_setting=SECRET_SETTING,
                docs_anchor="optumus",
            )
        )
