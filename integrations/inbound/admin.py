from django.contrib import admin
from django.utils.html import format_html
from django.utils.http import urlencode

from tracker.admin_services import CheapChangelist, EstimatedCountPaginator

from .models import WebhookReceipt


class StatusCodeFilter(admin.SimpleListFilter):
    """The answers the receivers give, as fixed choices: Django's own filter would read the distinct status codes
    of every receipt ever kept on each view. Any other code still filters by `?status_code=`."""

    title = "status code"
    parameter_name = "status_code"
    CODES = (200, 201, 400, 401, 404, 405, 409, 413, 415, 429, 500, 503)

    def lookups(self, request, model_admin):
        return [(str(code), str(code)) for code in self.CODES]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(status_code=int(value)) if value and value.isdigit() and len(value) <= 3 else queryset


class ActionFilter(admin.SimpleListFilter):
    """What an accepted call did, as fixed choices (the receivers' and adapters' common words) for the same reason;
    any other word still filters by `?action=`."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(word, word) for word in ("created", "updated", "noted", "archived")]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(WebhookReceipt)
class WebhookReceiptAdmin(CheapChangelist):
    """The intake log, read-only. Filter by route, status and outcome; search or click a key for its history.

    Receipts are the biggest table (one row per call, kept WEBHOOK_RECEIPT_RETENTION_DAYS): every filter has
    fixed choices, the page count is an estimate when nothing is filtered, and it is sorted on its own index."""

    list_display = [
        "created_at",
        "route",
        "status_code",
        "outcome",
        "key_history",
        "event",
        "action",
        "source_ip",
        "signature_verified",
        "error",
    ]
    list_filter = [
        "route",
        StatusCodeFilter,
        "outcome",
        "signature_verified",
        ActionFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["=external_key", "external_key", "=payload_id", "body_sha256", "source_ip", "object_id"]
    paginator = EstimatedCountPaginator
    ordering = ["-created_at", "-id"]
    readonly_fields = [field.name for field in WebhookReceipt._meta.fields]

    @admin.display(description="external key", ordering="external_key")
    def key_history(self, receipt: WebhookReceipt):
        """The key links to every receipt with the same key: replays and retries side by side."""
        if not receipt.external_key:
            return "-"
        return format_html(
            '<a href="?{}">{}</a>', urlencode({"external_key": receipt.external_key}), receipt.external_key
        )

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in ("external_key", "external_key__exact") or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
