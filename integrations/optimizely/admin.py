"""Django admin for the CMP adapter: its mappings (editable: step name → stage, CMP user → our user), the tasks
and assets it has seen, and the asset downloads (read-only: only the adapter writes them)."""

from django.contrib import admin

from integrations.upstream.admin import UpstreamMappingAdmin, UpstreamObjectAdmin
from integrations.upstream.models import Provider
from tracker.admin_services import ReadOnlyAdmin

from .models import CmpAssetFetch, CmpMapping, CmpObject


@admin.register(CmpMapping)
class CmpMappingAdmin(UpstreamMappingAdmin):
    list_filter = ["kind", "organisation"]

    def save_model(self, request, obj, form, change):
        obj.provider = Provider.OPTIMIZELY  # the rows of this list are CMP's, whatever the form said
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ["provider"]


@admin.register(CmpObject)
class CmpObjectAdmin(UpstreamObjectAdmin):
    list_filter = ["kind"]


@admin.register(CmpAssetFetch)
class CmpAssetFetchAdmin(ReadOnlyAdmin):
    list_display = ["asset_id", "task_id", "asset_type", "status", "attempts", "deliverable", "revision", "updated_at"]
    list_filter = ["status", "asset_type"]
    search_fields = ["asset_id", "task_id", "url"]
    list_select_related = ["deliverable", "revision"]
