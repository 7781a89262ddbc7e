from django.urls import path

from . import views

app_name = "deliverables"

urlpatterns = [
    path("deliverables/<int:pk>/", views.deliverable_detail, name="detail"),
    path("deliverables/<int:pk>/edit/", views.deliverable_edit, name="edit"),
    path("deliverables/<int:pk>/status/", views.deliverable_set_status, name="set_status"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/complete/", views.stage_complete, name="stage_complete"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/approve/", views.stage_approve, name="stage_approve"),
    path("projects/<int:project_pk>/deliverables/", views.deliverable_create, name="create"),
]
