"""Creative Force's own corner of the upstream tables in Django admin: its mappings (editable) and the objects it
has seen (read-only), each filtered to Creative Force so a studio edits only what this adapter reads."""

from django import forms
from django.contrib import admin

from tracker.admin_services import ReadOnlyAdmin

from .mapping import PROVIDER
from .models import CreativeForceMapping, CreativeForceObject


class CreativeForceMappingForm(forms.ModelForm):
    class Meta:
        model = CreativeForceMapping
        fields = ["organisation", "kind", "upstream_value", "target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Before validation, so the uniqueness check (per provider) looks at Creative Force's rows.
        self.instance.provider = PROVIDER


@admin.register(CreativeForceMapping)
class CreativeForceMappingAdmin(admin.ModelAdmin):
    form = CreativeForceMappingForm
    list_display = ["kind", "upstream_value", "target", "organisation", "updated_at"]
    list_filter = ["kind", "organisation"]
    search_fields = ["upstream_value", "target"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(provider=PROVIDER)


@admin.register(CreativeForceObject)
class CreativeForceObjectAdmin(ReadOnlyAdmin):
    list_display = ["kind", "external_id", "project", "deliverable", "last_event_at", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["external_id"]
    list_select_related = ["project", "deliverable"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(provider=PROVIDER)
