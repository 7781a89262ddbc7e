from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from tracker.navigation import SETTINGS, register_nav_item
        from tracker.retention import register_retention

        from . import receivers, tasks  # noqa: F401  (the sign-in signals to the audit; the task names)
        from .selectors import login_events_old

        register_nav_item("users", "Users", "accounts:users", 15, SETTINGS)
        register_retention("accounts.login_events", login_events_old, "sign-in audit, LOGIN_AUDIT_RETENTION_DAYS")
