from django.urls import path

from .views import compare, feedback, revisions, sessions, stage_panel

app_name = "reviews"

urlpatterns = [
    path("reviews/", sessions.session_list, name="list"),
    path("reviews/new", sessions.session_new, name="new"),
    path("reviews/<int:pk>", sessions.session_detail, name="detail"),
    path("reviews/<int:pk>/present", sessions.session_present, name="present"),
    path("reviews/<int:pk>/summary", sessions.session_summary, name="summary"),
    path("reviews/<int:pk>/summary.xlsx", sessions.session_summary_export, name="summary_export"),
    path("reviews/<int:pk>/edit", sessions.session_edit, name="edit"),
    path("reviews/<int:pk>/items/add", sessions.session_add_items, name="add_items"),
    path("reviews/<int:pk>/items/<int:item_pk>/remove", sessions.session_remove_item, name="remove_item"),
    path("reviews/<int:pk>/items/<int:item_pk>/move", sessions.session_move_item, name="move_item"),
    path("reviews/<int:pk>/items/<int:item_pk>/decision", sessions.session_decide, name="decide"),
    path("reviews/<int:pk>/start", sessions.session_start, name="start"),
    path("reviews/<int:pk>/complete", sessions.session_complete, name="complete"),
    path("deliverables/<int:pk>/review", revisions.annotate, name="annotate"),
    path("deliverables/<int:pk>/revisions", revisions.revision_upload_view, name="revision_upload"),
    path("deliverables/<int:pk>/compare", compare.compare, name="compare"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/review/", stage_panel.stage_panel, name="stage_panel"),
    path("revisions/<int:pk>/file", revisions.revision_file, name="revision_file"),
    path("revisions/<int:pk>/annotations", feedback.annotation_add, name="annotation_add"),
    path("stages/<int:pk>/feedback", feedback.feedback_add, name="feedback_add"),
    path("feedback/<int:pk>/status", feedback.feedback_status, name="feedback_status"),
    path("feedback/<int:pk>/edit", feedback.feedback_edit, name="feedback_edit"),
]
