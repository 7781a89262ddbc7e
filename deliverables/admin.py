from django.contrib import admin

from projects.admin import ProjectAdmin

from .models import Deliverable, Revision, Stage


class StageInline(admin.TabularInline):
    """Read-only here: stage changes go through the deliverable services, which enforce the gates."""

    model = Stage
    fields = ["order", "name", "approval_type", "status", "started_at", "completed_by", "completed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["order"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("completed_by")


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = ["round", "file", "source", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "status", "priority", "current_stage", "due_date", "assignee"]
    list_filter = ["status", "priority", "project__client_team"]
    search_fields = ["name", "slug", "cmf_sku", "project__name", "project__project_code", "project__omg_job_number"]
    list_select_related = ["project", "current_stage", "assignee"]
    raw_id_fields = ["project", "assignee"]
    # Status and the current stage follow the stage state machine; change them from the deliverable page.
    readonly_fields = ["status", "current_stage", "created_at", "updated_at"]
    inlines = [StageInline, RevisionInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["deliverable", "order", "name", "approval_type", "status", "completed_by", "completed_at"]
    list_filter = ["approval_type", "status"]
    search_fields = ["name", "deliverable__name"]
    list_select_related = ["deliverable", "completed_by"]
    readonly_fields = ["deliverable", "template_stage", "status", "completed_by", "completed_at", "started_at"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Revisions are added only through `deliverables.revisions.revision_create` (file check, round under a
    lock, event), by uploading on the deliverable's review page; here only the note can change."""

    list_display = ["deliverable", "round", "original_name", "source", "size", "created_by", "created_at"]
    list_filter = ["source"]
    search_fields = ["deliverable__name", "original_name"]
    list_select_related = ["deliverable", "created_by"]
    readonly_fields = [
        "deliverable", "round", "file", "original_name", "content_type", "size", "source", "created_by",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False


class ProjectDeliverableInline(admin.TabularInline):
    """The project's deliverables, read-only: a deliverable is added through `deliverable_create` (the project
    page, the API), which gives it its slug, its stages and its events; an inline row would have none of them."""

    model = Deliverable
    fields = ["name", "status", "priority", "due_date", "assignee", "current_stage"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee", "current_stage")


# The project admin is projects'; deliverables adds its list there, since projects never imports deliverables.
if ProjectDeliverableInline not in ProjectAdmin.inlines:
    ProjectAdmin.inlines = [*ProjectAdmin.inlines, ProjectDeliverableInline]
