from django.urls import path

from . import receiver, views

app_name = "optimizely"

urlpatterns = [
    path("api/webhooks/optimizely/task-events", receiver.TaskEventsApi.as_view(), name="task-events"),
    path("api/webhooks/optimizely/content-events", receiver.ContentEventsApi.as_view(), name="content-events"),
    path("deliverables/<int:pk>/cmp-task/link/", views.task_link, name="task-link"),
    path("deliverables/<int:pk>/cmp-task/unlink/", views.task_unlink, name="task-unlink"),
]
