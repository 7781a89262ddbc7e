from django.urls import path

from . import apis

urlpatterns = [
    path("reviews/", apis.ReviewSessionListApi.as_view(), name="api-reviews"),
    path("reviews/<int:pk>/", apis.ReviewSessionDetailApi.as_view(), name="api-review"),
    path("reviews/<int:pk>/items/", apis.ReviewSessionItemsApi.as_view(), name="api-review-items"),
    path("reviews/<int:pk>/items/<int:item_pk>/", apis.ReviewSessionItemApi.as_view(), name="api-review-item"),
    path("reviews/<int:pk>/start", apis.ReviewSessionStartApi.as_view(), name="api-review-start"),
    path("reviews/<int:pk>/complete", apis.ReviewSessionCompleteApi.as_view(), name="api-review-complete"),
    path(
        "reviews/<int:pk>/items/<int:item_pk>/decision",
        apis.ReviewSessionDecisionApi.as_view(),
        name="api-review-decision",
    ),
    path("stages/<int:pk>/feedback", apis.StageFeedbackApi.as_view(), name="api-stage-feedback"),
    path("feedback/<int:pk>", apis.FeedbackItemApi.as_view(), name="api-feedback"),
]
