from django.contrib import admin
from django.utils.html import format_html
from django.utils.http import urlencode

from .models import WebhookReceipt


@admin.register(WebhookReceipt)
class WebhookReceiptAdmin(admin.ModelAdmin):
    """The intake log, read-only. Filter by route, status and outcome; search or click a key for its history."""

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
    list_filter = ["route", "status_code", "outcome", "signature_verified", "action"]
    search_fields = ["=external_key", "external_key", "=payload_id", "body_sha256", "source_ip", "object_id"]
    date_hierarchy = "created_at"
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
