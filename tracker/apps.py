from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        from django.core.signals import request_finished

        # The system checks, and the tasks under their names in every process (web included), so `mail.queue`
        # finds them by name and eager mode runs them in-process.
        from . import checks, tasks  # noqa: F401
        from .logging import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="tracker.clear_request_id")

        from django.db.models.signals import post_delete, post_save

        from .models import ClientTeam, Organisation
        from .selectors import _client_teams
        from .services import _organisations

        # The per-process memos of intake's lookups (`tracker.cache.ProcessMemo`) forget a row saved here at once.
        for model, memo in ((Organisation, _organisations), (ClientTeam, _client_teams)):
            for signal in (post_save, post_delete):
                signal.connect(memo.clear, sender=model, dispatch_uid=f"tracker.memo.{model.__name__}.{signal}")
        from .navigation import SETTINGS, register_nav_item

        register_nav_item("home", "Home", "home", 0)
        register_nav_item("api_keys", "API keys", "api_keys", 20, SETTINGS)

        from .api.services import idempotency_records_expired
        from .events import events_old
        from .mail.outbox import emails_old
        from .retention import register_retention

        register_retention("tracker.events", events_old, "dispatched events, EVENTS_RETENTION_DAYS")
        register_retention("tracker.idempotency", idempotency_records_expired, "expired Idempotency-Key records")
        register_retention("tracker.emails", emails_old, "sent, failed and skipped emails, EMAIL_RETENTION_DAYS")
