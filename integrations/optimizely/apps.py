from django.apps import AppConfig


class OptimizelyConfig(AppConfig):
    name = "integrations.optimizely"
    label = "optimizely"
    verbose_name = "Optimizely CMP"

    def ready(self) -> None:
        from deliverables.panels import register_panel
        from integrations.inbound.models import WebhookReceipt
        from integrations.upstream.registry import Adapter, register_adapter
        from tracker.events import subscribe

        # Registers the download task under its name in every process (web included), so `queue` finds it and
        # eager mode runs it in-process.
        from . import panels, tasks  # noqa: F401
        from .constants import PROVIDER, SECRET_SETTING, SYSTEM
        from .services import task_link_promoted

        register_adapter(
            Adapter(
                provider=PROVIDER,
                label=SYSTEM,
                routes=[
                    (WebhookReceipt.Route.OPTIMIZELY_TASK, "optimizely:task-events"),
                    (WebhookReceipt.Route.OPTIMIZELY_CONTENT, "optimizely:content-events"),
                ],
                secret_setting=SECRET_SETTING,
                docs_anchor="optimizely-cmp",
            )
        )
        # Briefs never import integrations: promoting a CMP task's brief reaches us as `brief.accepted`.
        subscribe("brief.accepted", task_link_promoted)
        register_panel("side", panels.task_panel)
