from django.apps import AppConfig


class BoxConfig(AppConfig):
    name = "integrations.box"
    label = "box"
    verbose_name = "Box"

    def ready(self) -> None:
        # The domain emits `deliverable.approved` and never imports Box; the push is queued from here.
        from deliverables.panels import register_panel
        from tracker.events import subscribe

        # Registers the Box tasks under their names in every process (web included), so `queue` finds them by
        # name and eager mode runs them in-process instead of looking for a broker.
        from . import panels, tasks  # noqa: F401
        from .services import box_push_on_approval

        subscribe("deliverable.approved", box_push_on_approval)
        register_panel("side", panels.push_panel)
        register_panel("stage_actions", panels.send_button)

        from tracker.navigation import SETTINGS, register_nav_item

        register_nav_item("box", "Box", "box:settings", 30, SETTINGS)

        from tracker.retention import register_retention

        from .services.retention import box_inbound_logs_old, box_push_logs_old

        register_retention("box.push_logs", box_push_logs_old, "finished push attempts, BOX_LOG_RETENTION_DAYS")
        register_retention("box.inbound_logs", box_inbound_logs_old, "Box webhook deliveries, BOX_LOG_RETENTION_DAYS")

        from .home import register_tiles

        register_tiles()
