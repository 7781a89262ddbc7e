from django.contrib import admin

from tracker.admin_services import ReadOnlyAdmin, ReadOnlyInline

from .models import Annotation, FeedbackItem, ReviewSession, ReviewSessionItem


class ReviewSessionItemInline(ReadOnlyInline):
    """Items and their decisions are the session's record: recorded by the presenter, applied by the session."""

    model = ReviewSessionItem
    fields = ("position", "deliverable", "stage", "revision", "decision", "notes", "decided_by", "decided_at")


@admin.register(ReviewSession)
class ReviewSessionAdmin(admin.ModelAdmin):
    """Sessions are built, run and completed on the review pages; only the title is edited here."""

    list_display = ("title", "status", "presenter", "organisation", "created_at", "completed_at")
    list_filter = ("status", "organisation")
    search_fields = ("title",)
    readonly_fields = (
        "organisation", "status", "presenter", "created_by", "started_at", "completed_at",
    )  # fmt: skip
    inlines = [ReviewSessionItemInline]

    def has_add_permission(self, request):
        return False


@admin.register(FeedbackItem)
class FeedbackItemAdmin(ReadOnlyAdmin):
    """Feedback is written, resolved and carried forward on the review pages, with who and when for each change."""

    list_display = ("body", "status", "is_action_item", "stage", "revision", "author", "created_at")
    list_filter = ("status", "is_action_item")
    search_fields = ("body",)
    list_select_related = ("stage__deliverable", "revision__deliverable", "author")


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ("body", "revision", "x", "y", "author", "created_at")
    list_select_related = ("revision__deliverable", "author")
