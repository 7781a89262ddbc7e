from django.urls import path

from .receiver import OptumusWebhookApi

app_name = "optumus"

urlpatterns = [
    path("api/webhooks/optumus", OptumusWebhookApi.as_view(), name="webhook"),
]
