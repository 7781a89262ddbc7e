from django.urls import path

from . import apis

app_name = "deliverables_api"

urlpatterns = [
    path("projects/<int:project_id>/deliverables", apis.DeliverableCreateApi.as_view(), name="create"),
]
