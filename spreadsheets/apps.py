from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "spreadsheets"
    verbose_name = "Spreadsheet import"

    def ready(self) -> None:
        from tracker.navigation import register_nav_item
        from tracker.permissions import Permission, has_permission

        from . import tasks  # noqa: F401  (registers the task names in every process, web included)

        register_nav_item(
            "spreadsheets",
            "Import",
            "spreadsheets:start",
            35,  # after Reviews: a producer's occasional task, below the daily lists
            visible=lambda user: has_permission(user, Permission.PROJECT_CREATE),
        )
