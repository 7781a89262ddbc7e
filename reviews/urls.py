from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("deliverables/<int:pk>/stages/<int:stage_pk>/review/", views.stage_panel, name="stage_panel"),
]
