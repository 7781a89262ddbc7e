from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from tracker.navigation import register_nav_item

        register_nav_item("reviews", "Reviews", "reviews:list", 30)

        # The deliverable page is deliverables'; reviews adds its revisions panel and the FORMAL stages' link.
        from deliverables.panels import register_panel

        from . import panels

        register_panel("main", panels.revisions_panel)
        register_panel("stage_actions", panels.review_panel_link)

        from .home import register_tiles

        register_tiles()
