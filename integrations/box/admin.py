from django.contrib import admin

from .models import BoxInboundLog, BoxPushLog


@admin.register(BoxPushLog)
class BoxPushLogAdmin(admin.ModelAdmin):
    """An audit trail: rows are written by the push services only."""

    list_display = ("created_at", "deliverable", "folder_name", "attempt", "outcome", "trigger", "http_status")
    list_filter = ("outcome", "trigger")
    search_fields = ("folder_name", "deliverable__name", "box_folder_id", "box_file_id", "error")
    list_select_related = ("deliverable",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(BoxInboundLog)
class BoxInboundLogAdmin(admin.ModelAdmin):
    """Every webhook delivery from Box, trusted or not."""

    list_display = ("created_at", "trigger", "event_id", "folder_name", "file_name", "outcome")
    list_filter = ("outcome", "trigger")
    search_fields = ("event_id", "delivery_id", "folder_name", "file_name", "box_file_id")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
