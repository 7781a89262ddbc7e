from django.urls import path

from . import views

app_name = "outbound"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="endpoints"),
    path("settings/webhooks/deliveries/", views.delivery_list, name="deliveries"),
    path("settings/webhooks/deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("settings/webhooks/deliveries/<int:pk>/resend/", views.delivery_resend, name="delivery_resend"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("settings/webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("settings/webhooks/<int:pk>/enable/", views.endpoint_enable, name="endpoint_enable"),
    path("settings/webhooks/<int:pk>/disable/", views.endpoint_disable, name="endpoint_disable"),
    path("settings/webhooks/<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("settings/webhooks/<int:pk>/resend-failed/", views.endpoint_resend_failed, name="endpoint_resend_failed"),
    path("settings/webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
]
