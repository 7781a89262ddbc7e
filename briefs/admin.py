from django.contrib import admin

from tracker.admin_services import CheapChangelist, run_for_each

from .models import Brief
from .services import brief_reopen


@admin.register(Brief)
class BriefAdmin(CheapChangelist):
    """Briefs arrive through intake and are triaged on the inbox; here the triage fields are read-only and the one
    triage action goes through its service (permission, events)."""

    list_display = ["title", "status", "priority", "client_team", "source", "requested_due_date", "created_at"]
    # Not `source`: its filter would read the distinct sources of every brief on each view; search finds it.
    list_filter = ["status", "priority", "client_team", "organisation", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["title", "description", "external_id", "requestor_name", "requestor_email", "source"]
    list_select_related = ["client_team"]
    readonly_fields = [
        "organisation", "external_id", "source", "status", "converted_project", "rejection_reason", "decided_by",
        "decided_at", "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["reopen"]
    fieldsets = [
        (None, {"fields": ["organisation", "title", "description", "status", "priority", "client_team"]}),
        ("Requestor", {"fields": ["requestor_name", "requestor_email", "requested_due_date"]}),
        ("Intake", {"fields": ["external_id", "source", "raw_payload"]}),
        ("Triage", {"fields": ["converted_project", "rejection_reason", "decided_by", "decided_at"]}),
        ("Timestamps", {"fields": ["created_at", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return False  # a brief is created by intake (webhook, REST, spreadsheets), which records its source

    @admin.action(description="Reopen the selected rejected briefs (back to the pending inbox)")
    def reopen(self, request, queryset):
        run_for_each(self, request, queryset, lambda brief: brief_reopen(brief=brief, actor=request.user), "Reopened")
