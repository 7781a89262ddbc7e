"""The whole site — pages, APIs, webhooks, admin, static files — lives under TRACKER_BASE_PATH."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = f"{settings.TRACKER_BRAND_NAME} admin"
admin.site.site_title = settings.TRACKER_BRAND_NAME

site_patterns = [
    # The signed webhooks first: they are the busiest routes, and Django tries each pattern in turn.
    path("", include("integrations.inbound.urls")),
    path("admin/", admin.site.urls),
    path("", include("tracker.site_urls")),
    path("", include("accounts.auth_urls")),
    path("", include("accounts.urls")),
    path("settings/api-keys/", include("tracker.settings_urls")),
    path("", include("briefs.urls")),
    path("", include("projects.urls")),
    path("", include("deliverables.urls")),
    path("", include("reviews.urls")),
    path("", include("integrations.box.urls")),
    path("", include("spreadsheets.urls")),
    path("", include("integrations.outbound.urls")),
    path("", include("integrations.upstream.urls")),
    path("", include("integrations.creativeforce.urls")),
    path("", include("integrations.optumus.urls")),
    path("", include("integrations.optimizely.urls")),
    path("api/", include("briefs.api_urls")),
    path("api/", include("projects.api_urls")),
    path("api/", include("deliverables.api_urls")),
    path("api/", include("reviews.api_urls")),
    path("api/v1/", include("api_v1.urls")),
]

_base = settings.TRACKER_BASE_PATH.strip("/")
urlpatterns = [path(f"{_base}/", include(site_patterns))] if _base else site_patterns

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
