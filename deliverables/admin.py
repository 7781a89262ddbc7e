from django.contrib import admin

from projects.admin import ProjectAdmin
from tracker.admin_services import CheapChangelist, ReadOnlyAdmin, ReadOnlyInline, run_for_each

from .models import Deliverable, Revision, Stage, Transition
from .services import deliverable_hold, deliverable_release, deliverable_update
from .services.upsert import DELIVERABLE_FIELDS

ADMIN = Transition.Source.ADMIN  # how a change made in Django admin reads in the history


class StageInline(ReadOnlyInline):
    """Read-only here: stage changes go through the deliverable services, which enforce the gates."""

    model = Stage
    fields = ["order", "name", "approval_type", "status", "started_at", "completed_by", "completed_at"]
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("completed_by")


class TransitionInline(ReadOnlyInline):
    """The deliverable's history, newest first, read-only."""

    model = Transition
    fields = ["created_at", "intent", "from_status", "to_status", "stage_name", "actor", "system", "source", "note"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class RevisionInline(ReadOnlyInline):
    model = Revision
    fields = ["round", "file", "source", "created_by", "created_at"]


@admin.register(Deliverable)
class DeliverableAdmin(CheapChangelist):
    """Edits of the deliverable's own fields go through `deliverable_update` (events); status and stages change
    only through the state machine: the hold and release actions here, the gates on the deliverable page."""

    list_display = ["name", "project", "status", "priority", "stage", "due_date", "assignee"]
    list_filter = ["status", "priority", "project__client_team"]
    search_fields = ["name", "slug", "cmf_sku", "project__name", "project__project_code", "project__omg_job_number"]
    list_select_related = ["project", "current_stage", "assignee"]
    raw_id_fields = ["assignee"]
    readonly_fields = ["project", "name", "slug", "status", "held_from", "current_stage", "created_at", "updated_at"]
    inlines = [StageInline, TransitionInline, RevisionInline]
    actions = ["hold", "release"]

    def has_add_permission(self, request):
        return False  # added on the project page or by intake, which copy the pipeline's stages

    @admin.display(description="current stage", ordering="current_stage__order")
    def stage(self, deliverable: Deliverable) -> str:
        # The stage's own name: its __str__ names its deliverable too, a query per row.
        return deliverable.current_stage.name if deliverable.current_stage else "-"

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in DELIVERABLE_FIELDS}
        if fields:
            deliverable_update(deliverable=obj, actor=request.user, **fields)

    @admin.action(description="Put the selected deliverables on hold")
    def hold(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda d: deliverable_hold(deliverable=d, actor=request.user, source=ADMIN), "Put on hold",
        )  # fmt: skip

    @admin.action(description="Release the selected deliverables from hold")
    def release(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda d: deliverable_release(deliverable=d, actor=request.user, source=ADMIN), "Released",
        )  # fmt: skip


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    """The approval trail: written by the state machine in the transaction of each change, never edited."""

    list_display = ["created_at", "deliverable", "intent", "from_status", "to_status", "stage_name", "actor", "system"]
    list_filter = ["intent", "source", "to_status"]
    search_fields = ["deliverable__name", "stage_name", "system", "note"]
    list_select_related = ["deliverable", "actor"]


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    """Stages change only through the state machine (the gates on the deliverable page, review sessions)."""

    list_display = ["deliverable", "order", "name", "approval_type", "status", "completed_by", "completed_at"]
    list_filter = ["approval_type", "status"]
    search_fields = ["name", "deliverable__name"]
    list_select_related = ["deliverable", "completed_by"]


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


class ProjectDeliverableInline(ReadOnlyInline):
    """The project's deliverables, read-only: a deliverable is added through `deliverable_create` (the project
    page, the API), which gives it its slug, its stages and its events; an inline row would have none of them."""

    model = Deliverable
    fields = ["name", "status", "priority", "due_date", "assignee", "current_stage"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee", "current_stage")


# The project admin is projects'; deliverables adds its list there, since projects never imports deliverables.
if ProjectDeliverableInline not in ProjectAdmin.inlines:
    ProjectAdmin.inlines = [*ProjectAdmin.inlines, ProjectDeliverableInline]
