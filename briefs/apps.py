from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"

    def ready(self) -> None:
        from tracker.navigation import register_nav_item

        from .navigation import pending_briefs_count

        register_nav_item(
            "briefs", "Briefs", "briefs:inbox", 10, count=pending_briefs_count, count_testid="pending-briefs-count"
        )

        from .home import register_tiles

        register_tiles()
