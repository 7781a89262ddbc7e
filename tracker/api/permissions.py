"""DRF permission classes: tracker permissions for signed-in users, and API-key scopes for the external API v1."""

from rest_framework import exceptions, permissions

from tracker.models import ApiKey
from tracker.permissions import Permission
from tracker.permissions import has_permission as user_has_permission


def permission_required(permission: Permission) -> type[permissions.BasePermission]:
    """A DRF permission class granting `permission` (tracker.permissions) to signed-in users."""

    class HasTrackerPermission(permissions.BasePermission):
        message = "permission denied"

        def has_permission(self, request, view) -> bool:
            return user_has_permission(request.user, permission)

    HasTrackerPermission.__name__ = f"Has{permission.value.title().replace('_', '')}"
    return HasTrackerPermission


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
