from django.urls import path

from . import views

app_name = "spreadsheets"

urlpatterns = [
    path("projects/import/", views.import_start, name="start"),
    path("projects/import/template.xlsx", views.import_template, name="template"),
    path("projects/import/<int:pk>/", views.import_detail, name="detail"),
    path("projects/import/<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("projects/import/<int:pk>/commit/", views.import_commit, name="commit"),
    path("projects/import/<int:pk>/retry/", views.import_retry, name="retry"),
    path("projects/import/<int:pk>/progress/", views.import_progress, name="progress"),
    path("projects/import/<int:pk>/report.xlsx", views.import_report, name="report"),
]
