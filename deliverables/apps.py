from django.apps import AppConfig


class DeliverablesConfig(AppConfig):
    name = "deliverables"

    def ready(self) -> None:
        from tracker.navigation import register_nav_namespace

        register_nav_namespace("projects", "deliverables")  # a deliverable's pages sit under "Projects"
