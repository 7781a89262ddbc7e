from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        from tracker.navigation import SETTINGS, register_nav_item

        register_nav_item("projects", "Projects", "projects:list", 20)
        register_nav_item("pipelines", "Pipelines", "projects:pipelines", 10, SETTINGS)
