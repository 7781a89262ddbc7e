from django.urls import path

from . import apis

app_name = "briefs_api"

urlpatterns = [
    path("briefs", apis.BriefCreateApi.as_view(), name="create"),
]
