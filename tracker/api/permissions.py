"""Who may call the external API v1: a valid API key (401 otherwise) holding the operation's scope (403)."""

from rest_framework import exceptions, permissions

from tracker.models import ApiKey


class HasApiKeyScope(permissions.BasePermission):
    """The request carries an API key, and the key holds the scope the view names for the request's method.

    Views declare `required_scopes = {"GET": ApiKey.Scope.PROJECTS_READ, "POST": ...}`; a method the view
    does not serve goes on to DRF's 405.
    """

    def has_permission(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            raise exceptions.NotAuthenticated()
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        scope = getattr(view, "required_scopes", {}).get(method)
        if scope is None:
            return True  # a method the view does not serve: DRF answers 405
        if scope not in api_key.scopes:
            raise exceptions.PermissionDenied(f"API key lacks the {scope} scope")
        return True
