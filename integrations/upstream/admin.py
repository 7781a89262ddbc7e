"""The studio's mappings for the upstream adapters, edited in Django admin, and the upstream objects they track."""

from django.contrib import admin

from tracker.admin_services import ReadOnlyAdmin

from .models import UpstreamMapping, UpstreamObject


@admin.register(UpstreamMapping)
class UpstreamMappingAdmin(admin.ModelAdmin):
    list_display = ["provider", "kind", "upstream_value", "target", "organisation", "updated_at"]
    list_filter = ["provider", "kind", "organisation"]
    search_fields = ["upstream_value", "target"]


@admin.register(UpstreamObject)
class UpstreamObjectAdmin(ReadOnlyAdmin):
    list_display = ["provider", "kind", "external_id", "project", "deliverable", "brief", "last_event_at"]
    list_filter = ["provider", "kind"]
    search_fields = ["external_id"]
    list_select_related = ["project", "deliverable", "brief"]
