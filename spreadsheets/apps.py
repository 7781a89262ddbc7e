from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "spreadsheets"
    verbose_name = "Spreadsheet import"

    def ready(self) -> None:
        from tracker.navigation import register_nav_item

        from . import tasks  # noqa: F401  (registers the task names in every process, web included)

        register_nav_item("spreadsheets", "Import", "spreadsheets:start", 25)
