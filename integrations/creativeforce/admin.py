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
        fields = ["organisation", "provider", "kind", "upstream_value", "target"]
        widgets = {"provider": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fixed, but a field of the form: the uniqueness check (per provider) then runs on Creative Force's rows
        # and answers a duplicate on the form instead of failing at the database.
        self.initial["provider"] = PROVIDER
        self.fields["provider"].disabled = True


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
