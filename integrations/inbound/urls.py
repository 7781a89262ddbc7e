from django.urls import path

from . import apis, views

app_name = "inbound"

urlpatterns = [
    path("api/webhooks/briefs", apis.BriefWebhookApi.as_view(), name="webhook-briefs"),
    path("api/webhooks/omg", apis.OmgWebhookApi.as_view(), name="webhook-omg"),
    path("api/webhooks/deliverables", apis.DeliverableWebhookApi.as_view(), name="webhook-deliverables"),
    path("settings/webhook-receipts.xlsx", views.receipts_export, name="receipts-export"),
]
