from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from tracker.navigation import register_nav_item

        register_nav_item("reviews", "Reviews", "reviews:list", 30)
