from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.session_list, name="list"),
    path("reviews/new", views.session_new, name="new"),
    path("reviews/<int:pk>", views.session_detail, name="detail"),
    path("reviews/<int:pk>/present", views.session_present, name="present"),
    path("reviews/<int:pk>/summary", views.session_summary, name="summary"),
    path("reviews/<int:pk>/edit", views.session_edit, name="edit"),
    path("reviews/<int:pk>/items/add", views.session_add_items, name="add_items"),
    path("reviews/<int:pk>/items/<int:item_pk>/remove", views.session_remove_item, name="remove_item"),
    path("reviews/<int:pk>/items/<int:item_pk>/move", views.session_move_item, name="move_item"),
    path("reviews/<int:pk>/items/<int:item_pk>/decision", views.session_decide, name="decide"),
    path("reviews/<int:pk>/start", views.session_start, name="start"),
    path("reviews/<int:pk>/complete", views.session_complete, name="complete"),
    path("deliverables/<int:pk>/review", views.annotate, name="annotate"),
    path("deliverables/<int:pk>/revisions", views.revision_upload_view, name="revision_upload"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/review/", views.stage_panel, name="stage_panel"),
    path("revisions/<int:pk>/file", views.revision_file, name="revision_file"),
    path("revisions/<int:pk>/annotations", views.annotation_add, name="annotation_add"),
    path("stages/<int:pk>/feedback", views.feedback_add, name="feedback_add"),
    path("feedback/<int:pk>/status", views.feedback_status, name="feedback_status"),
    path("feedback/<int:pk>/edit", views.feedback_edit, name="feedback_edit"),
]
