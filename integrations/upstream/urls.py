from django.urls import path

from . import views

app_name = "upstream"

urlpatterns = [
    path("settings/integrations/", views.integration_list, name="integrations"),
]
