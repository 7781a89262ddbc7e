"""Optumus' brand map (editable) and the opportunities it has sent (read-only), in Django admin."""

from django.contrib import admin

from integrations.upstream.models import UpstreamMapping
from tracker.admin_services import ReadOnlyAdmin
from tracker.services import organisation_default

from .models import OptumusMapping, OptumusOpportunity


@admin.register(OptumusMapping)
class OptumusMappingAdmin(admin.ModelAdmin):
    list_display = ["upstream_value", "target", "organisation", "updated_at"]
    list_filter = ["organisation"]
    search_fields = ["upstream_value", "target"]
    fields = ["organisation", "upstream_value", "target"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(provider=OptumusMapping.PROVIDER)

    def get_changeform_initial_data(self, request):
        return {"organisation": organisation_default().pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        # Optumus sends one thing to map, the brand: the provider and kind are not the admin's to choose.
        obj.provider, obj.kind = OptumusMapping.PROVIDER, UpstreamMapping.Kind.BRAND
        super().save_model(request, obj, form, change)


@admin.register(OptumusOpportunity)
class OptumusOpportunityAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "title", "status", "brief", "last_event_at", "updated_at"]
    search_fields = ["external_id", "brief__title"]
    list_select_related = ["brief"]
    fields = ["external_id", "brief", "last_event_at", "data", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(provider=OptumusOpportunity.PROVIDER)

    @admin.display(description="title")
    def title(self, obj):
        return obj.data.get("title", "")

    @admin.display(description="status")
    def status(self, obj):
        return obj.data.get("status", "")
