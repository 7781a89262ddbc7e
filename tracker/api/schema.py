"""OpenAPI for the external API v1: only /api/v1 is described, with the API key as a bearer scheme."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_api_v1(endpoints):
    """drf-spectacular preprocessing hook: keep the v1 operations, drop the intake and page APIs."""
    prefix = f"{settings.TRACKER_BASE_PATH}/api/v1/"
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith(prefix) and not path.startswith((f"{prefix}schema", f"{prefix}docs"))
    ]


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from Settings → API keys: `Authorization: Bearer st_...`.",
        }
