from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "spreadsheets"
    verbose_name = "Spreadsheet import"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the task names in every process, web included)
