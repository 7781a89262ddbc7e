from django.urls import path

from . import views, views_settings

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/export.xlsx", views.project_export, name="export"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("settings/pipelines/", views_settings.pipeline_list, name="pipelines"),
    path("settings/pipelines/<int:pk>/", views_settings.pipeline_detail, name="pipeline_detail"),
    path("settings/pipelines/<int:pk>/rename/", views_settings.pipeline_rename, name="pipeline_rename"),
    path("settings/pipelines/<int:pk>/default/", views_settings.pipeline_set_default, name="pipeline_set_default"),
    path("settings/pipelines/<int:pk>/stages/", views_settings.pipeline_stage_add, name="pipeline_stage_add"),
    path(
        "settings/pipelines/<int:pk>/stages/<int:stage_pk>/remove/",
        views_settings.pipeline_stage_remove,
        name="pipeline_stage_remove",
    ),
    path(
        "settings/pipelines/<int:pk>/stages/<int:stage_pk>/move/",
        views_settings.pipeline_stage_move,
        name="pipeline_stage_move",
    ),
    path(
        "settings/pipelines/<int:pk>/stages/<int:stage_pk>/approval/",
        views_settings.pipeline_stage_approval,
        name="pipeline_stage_approval",
    ),
]
