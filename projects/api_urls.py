from django.urls import path

from . import apis

app_name = "projects_api"

urlpatterns = [
    path("projects", apis.ProjectCreateApi.as_view(), name="create"),
]
