"""The project's JSON error shape: `{"error": "...", ...}` with `issues` for invalid payloads.

Every API and webhook answers errors through here, so no input yields an HTML page or a traceback.
"""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from tracker.errors import ApplicationError

logger = logging.getLogger(__name__)


def flatten_issues(detail, path: tuple = ()) -> list[dict]:
    """DRF's nested error dict -> `[{"path": ["job", "number"], "message": "..."}]`."""
    issues: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            sub = path if key in ("non_field_errors",) else (*path, key)
            issues.extend(flatten_issues(value, sub))
    elif isinstance(detail, list):
        if all(isinstance(item, str | exceptions.ErrorDetail) for item in detail):
            issues.extend({"path": list(path), "message": str(item)} for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    issues.extend(flatten_issues(item, (*path, index)))
    else:
        issues.append({"path": list(path), "message": str(detail)})
    return issues


def invalid_payload(issues: list[dict]) -> dict:
    return {"error": "invalid payload", "issues": issues}


def exception_handler(exc, context):
    """DRF exception handler: every error in the project's shape."""
    if isinstance(exc, ApplicationError):
        return Response({"error": exc.message, **exc.extra}, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return Response(invalid_payload(flatten_issues(exc.detail)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        return Response({"error": "invalid JSON body"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        detail = "authentication required" if isinstance(exc, exceptions.NotAuthenticated) else str(exc.detail)
        response = Response({"error": detail}, status=status.HTTP_401_UNAUTHORIZED)
        request = context.get("request")
        if request is not None and request.authenticators:
            response["WWW-Authenticate"] = request.authenticators[0].authenticate_header(request) or "Session"
        return response
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        message = str(exc.detail) if isinstance(exc, exceptions.PermissionDenied) else "permission denied"
        if message == exceptions.PermissionDenied.default_detail:
            message = "permission denied"
        return Response({"error": message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, exceptions.NotFound | Http404):
        return Response({"error": "not found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response({"error": "method not allowed"}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Response({"error": "unsupported media type"}, status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, exceptions.NotAcceptable):
        return Response({"error": "not acceptable"}, status=status.HTTP_406_NOT_ACCEPTABLE)
    if isinstance(exc, exceptions.Throttled):
        response = Response({"error": "rate limit exceeded"}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
        return response
    if isinstance(exc, exceptions.APIException):
        return Response({"error": str(exc.detail)}, status=exc.status_code)
    logger.exception("api.unhandled_error")
    return Response({"error": "internal error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def rate_limited(request, exception=None):
    """django-ratelimit's RATELIMIT_VIEW: 429 in our shape rather than its default 403."""
    return JsonResponse({"error": "rate limit exceeded"}, status=429)
