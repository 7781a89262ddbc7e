from django.urls import path

from .receiver import CreativeForceWebhookApi

app_name = "creativeforce"

urlpatterns = [
    path("api/webhooks/creativeforce", CreativeForceWebhookApi.as_view(), name="webhook"),
]
