from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_metrics

urlpatterns = [
    path("", views.home, name="home"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notification_mark_read, name="notifications_read"),
    path("metrics", views_metrics.metrics_view, name="metrics"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
]
