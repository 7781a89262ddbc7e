from django.contrib import admin

from .models import Annotation, FeedbackItem, ReviewSession, ReviewSessionItem


class ReviewSessionItemInline(admin.TabularInline):
    model = ReviewSessionItem
    extra = 0
    fields = ("position", "deliverable", "stage", "revision", "decision", "notes", "decided_by", "decided_at")
    raw_id_fields = ("deliverable", "stage", "revision", "decided_by")
    readonly_fields = ("decided_at",)


@admin.register(ReviewSession)
class ReviewSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "presenter", "organisation", "created_at", "completed_at")
    list_filter = ("status", "organisation")
    search_fields = ("title",)
    raw_id_fields = ("presenter", "created_by")
    readonly_fields = ("started_at", "completed_at")
    inlines = [ReviewSessionItemInline]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ("body", "status", "is_action_item", "stage", "revision", "author", "created_at")
    list_filter = ("status", "is_action_item")
    search_fields = ("body",)
    list_select_related = ("stage__deliverable", "revision__deliverable", "author")
    raw_id_fields = (
        "stage", "revision", "annotation", "author", "carried_from", "edited_by", "resolved_by", "reopened_by",
    )  # fmt: skip


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("body", "revision", "x", "y", "author", "created_at")
    list_select_related = ("revision__deliverable", "author")
    raw_id_fields = ("revision", "author")
