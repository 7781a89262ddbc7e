from django.contrib import admin

from tracker.admin_services import CheapChangelist

from .models import PipelineStageTemplate, PipelineTemplate, Project


class PipelineStageTemplateInline(admin.TabularInline):
    model = PipelineStageTemplate
    fields = ["order", "name", "slug", "approval_type", "requires_different_approver"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    ordering = ["order"]


@admin.register(PipelineTemplate)
class PipelineTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default", "stage_count", "updated_at"]
    list_filter = ["organisation", "is_default"]
    search_fields = ["name"]
    inlines = [PipelineStageTemplateInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_stage_count=Count("stages"))

    @admin.display(ordering="_stage_count", description="Stages")
    def stage_count(self, obj):
        return obj._stage_count


@admin.register(Project)
class ProjectAdmin(CheapChangelist):
    list_display = ["project_code", "name", "status", "priority", "omg_job_number", "client_team", "due_date", "owner"]
    list_filter = [
        "status", "priority", "client_team", "organisation", "pipeline_template",
        ("created_at", admin.DateFieldListFilter),
    ]  # fmt: skip
    search_fields = ["project_code", "name", "omg_job_number", "client", "requestor"]
    list_select_related = ["client_team", "owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = []  # deliverables adds its read-only list (deliverables/admin.py)
    fieldsets = [
        (None, {"fields": ["organisation", "project_code", "name", "status", "priority", "omg_job_number"]}),
        ("Client", {"fields": ["client", "client_team", "business_unit", "requestor", "owner"]}),
        ("Schedule", {"fields": ["start_date", "due_date", "outputs", "pipeline_template"]}),
        ("Details", {"fields": ["description", "notes", "custom_fields", "source"]}),
        ("Timestamps", {"fields": ["created_at", "updated_at"]}),
    ]
