from django.apps import AppConfig


class DeliverablesConfig(AppConfig):
    name = "deliverables"

    def ready(self) -> None:
        from tracker.navigation import register_nav_namespace

        register_nav_namespace("projects", "deliverables")  # a deliverable's pages sit under "Projects"

        # The project page is projects', which never imports deliverables: the deliverables panel is added here.
        from projects.panels import register_panel

        from .views import project_deliverables_panel

        register_panel("deliverables", project_deliverables_panel)

        from .home import register_tiles

        register_tiles()

        from . import tasks  # noqa: F401  (registers the thumbnail task names in every process, web included)
