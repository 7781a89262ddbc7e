"""Settings → API keys, mounted at `settings/api-keys/`."""

from django.urls import path

from . import views_settings

urlpatterns = [
    path("", views_settings.api_key_index, name="api_keys"),
    path("<int:pk>/revoke/", views_settings.api_key_revoke_view, name="api_key_revoke"),
]
