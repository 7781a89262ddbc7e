from django.contrib import admin

from .models import Brief


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "priority", "client_team", "source", "requested_due_date", "created_at"]
    list_filter = ["status", "priority", "client_team", "source", "organisation"]
    search_fields = ["title", "description", "external_id", "requestor_name", "requestor_email"]
    list_select_related = ["client_team"]
    raw_id_fields = ["converted_project", "decided_by"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["organisation", "title", "description", "status", "priority", "client_team"]}),
        ("Requestor", {"fields": ["requestor_name", "requestor_email", "requested_due_date"]}),
        ("Intake", {"fields": ["external_id", "source", "raw_payload"]}),
        ("Triage", {"fields": ["converted_project", "rejection_reason", "decided_by", "decided_at"]}),
        ("Timestamps", {"fields": ["created_at", "updated_at"]}),
    ]
