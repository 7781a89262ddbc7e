from django.urls import path

from . import views

app_name = "deliverables"

urlpatterns = [
    path("deliverables/", views.deliverable_list, name="list"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="detail"),
    path("deliverables/<int:pk>/edit/", views.deliverable_edit, name="edit"),
    path("deliverables/<int:pk>/hold/", views.deliverable_hold, name="hold"),
    path("deliverables/<int:pk>/release/", views.deliverable_release, name="release"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/complete/", views.stage_complete, name="stage_complete"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/approve/", views.stage_approve, name="stage_approve"),
    path("deliverables/<int:pk>/stages/<int:stage_pk>/reopen/", views.stage_reopen, name="stage_reopen"),
    path("revisions/<int:pk>/thumbnail", views.revision_thumbnail, name="revision_thumbnail"),
    path("projects/<int:project_pk>/deliverables/", views.deliverable_create, name="create"),
    path("projects/<int:project_pk>/deliverables.xlsx", views.project_deliverables_export, name="export"),
]
