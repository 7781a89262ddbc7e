from django.urls import path

from . import views

app_name = "briefs"

urlpatterns = [
    path("briefs/", views.inbox, name="inbox"),
    path("briefs/export.xlsx", views.inbox_export, name="export"),
    path("briefs/new/", views.brief_new, name="new"),
    path("briefs/<int:pk>/", views.detail, name="detail"),
    path("briefs/<int:pk>/promote/", views.promote, name="promote"),
    path("briefs/<int:pk>/reject/", views.reject, name="reject"),
    path("briefs/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("briefs/<int:pk>/assign/", views.assign, name="assign"),
]
