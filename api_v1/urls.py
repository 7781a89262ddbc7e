"""External API v1, mounted at `api/v1/` under the base path."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from tracker.api import schema  # noqa: F401  (registers the API-key security scheme with drf-spectacular)

from .views import DeliverableHistoryApi, ProjectCollectionApi, ProjectDeliverablesApi, ProjectDetailApi

app_name = "api_v1"

# The schema and its docs are public: they describe the API, and every operation still needs a key.
_public = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("projects", ProjectCollectionApi.as_view(), name="projects"),
    path("projects/<str:project_id>", ProjectDetailApi.as_view(), name="project"),
    path("projects/<str:project_id>/deliverables", ProjectDeliverablesApi.as_view(), name="project-deliverables"),
    path(
        "projects/<str:project_id>/deliverables/<str:deliverable_id>/history",
        DeliverableHistoryApi.as_view(),
        name="deliverable-history",
    ),
    path("schema/", SpectacularAPIView.as_view(**_public), name="schema"),
    # The split view serves Swagger UI's start-up script as its own file: no inline script for the CSP to block.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_v1:schema", **_public), name="docs"),
]
