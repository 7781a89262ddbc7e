from django.urls import path

from . import apis, views

app_name = "box"

urlpatterns = [
    path("api/webhooks/box", apis.BoxWebhookApi.as_view(), name="webhook"),
    path("settings/box/", views.box_settings, name="settings"),
    path("settings/box/inbound/<int:pk>/retry/", views.inbound_retry, name="inbound_retry"),
    path("box/failed/", views.failed_pushes, name="failed"),
    path("box/pushes/<int:pk>/retry/", views.push_retry, name="push_retry"),
    path("deliverables/<int:pk>/box/", views.push_panel, name="panel"),
    path("deliverables/<int:pk>/box/send/", views.deliverable_send, name="send"),
]
