"""The project's JSON error shape: `{"error": "...", ...}` with `issues` for invalid payloads.

Every API and webhook answers errors through here, so no input yields an HTML page or a traceback. Answers are
bounded whatever the input: at most MAX_ISSUES issues (with `issueCount` saying how many there were), each
message at most MAX_MESSAGE_LENGTH characters (a message may quote the caller's value). Nothing internal reaches
the caller: an unexpected exception is answered `internal error` and logged with its traceback.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from tracker.errors import ApplicationError

logger = logging.getLogger(__name__)

# An invalid payload lists at most this many issues; `issueCount` gives the total.
MAX_ISSUES = 20
MAX_MESSAGE_LENGTH = 300
MAX_PATH_ITEM_LENGTH = 100


class PayloadTooLarge(ApplicationError):
    """413 `{"error": "payload too large", "maxBytes": N}`: the body was refused before it was parsed."""

    status_code = 413

    def __init__(self, max_bytes: int):
        super().__init__("payload too large", {"maxBytes": max_bytes})


def api_max_body_bytes() -> int:
    """The largest JSON body the session and API-key APIs take: API_MAX_BODY_BYTES, and never more than Django
    itself reads into memory (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    limits = [settings.API_MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE]
    return min(limit for limit in limits if limit is not None)


def _bounded(text: str, limit: int) -> str:
    """At most `limit` characters, and encodable: a message quoting the caller's value may carry a lone surrogate
    (valid in a JSON string, not in UTF-8), which would break rendering the answer."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _path_item(item):
    return item if isinstance(item, int) else _bounded(str(item), MAX_PATH_ITEM_LENGTH)


def flatten_issues(detail, path: tuple = (), limit: int | None = None) -> list[dict]:
    """DRF's nested error dict -> `[{"path": ["job", "number"], "message": "..."}]`, stopping after `limit`."""
    issues: list[dict] = []
    pending = [(detail, path)]
    while pending and (limit is None or len(issues) < limit):
        detail, path = pending.pop()
        if isinstance(detail, dict):
            for key, value in reversed(list(detail.items())):
                pending.append((value, path if key == "non_field_errors" else (*path, key)))
        elif isinstance(detail, list) and all(isinstance(item, str | exceptions.ErrorDetail) for item in detail):
            issues.extend({"path": list(path), "message": str(item)} for item in detail)
        elif isinstance(detail, list):
            pending.extend((item, (*path, index)) for index, item in reversed(list(enumerate(detail))) if item)
        else:
            issues.append({"path": list(path), "message": str(detail)})
    return issues if limit is None else issues[:limit]


def count_issues(detail) -> int:
    """How many issues `flatten_issues` would list without a limit (counted, not built)."""
    count, pending = 0, [detail]
    while pending:
        detail = pending.pop()
        if isinstance(detail, dict):
            pending.extend(detail.values())
        elif isinstance(detail, list) and all(isinstance(item, str | exceptions.ErrorDetail) for item in detail):
            count += len(detail)
        elif isinstance(detail, list):
            pending.extend(item for item in detail if item)
        else:
            count += 1
    return count


def invalid_payload(issues: list[dict], total: int | None = None) -> dict:
    """`{"error": "invalid payload", "issues": [...]}`, bounded: the first MAX_ISSUES issues, each message cut to
    MAX_MESSAGE_LENGTH, and `issueCount` when some were left out."""
    total = len(issues) if total is None else total
    shown = [
        {
            "path": [_path_item(item) for item in issue["path"]],
            "message": _bounded(issue["message"], MAX_MESSAGE_LENGTH),
        }
        for issue in issues[:MAX_ISSUES]
    ]
    body = {"error": "invalid payload", "issues": shown}
    if total > len(shown):
        body["issueCount"] = total
    return body


def validation_error_body(detail) -> dict:
    return invalid_payload(flatten_issues(detail, limit=MAX_ISSUES), total=count_issues(detail))


def exception_handler(exc, context):
    """DRF exception handler: every error in the project's shape."""
    if isinstance(exc, ApplicationError):
        return Response({"error": _bounded(exc.message, MAX_MESSAGE_LENGTH), **exc.extra}, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Django refused to read the body into memory (over DATA_UPLOAD_MAX_MEMORY_SIZE).
        too_large = PayloadTooLarge(api_max_body_bytes())
        return Response({"error": too_large.message, **too_large.extra}, status=too_large.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return Response(validation_error_body(exc.detail), status=status.HTTP_400_BAD_REQUEST)
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
        return Response({"error": _bounded(str(exc.detail), MAX_MESSAGE_LENGTH)}, status=exc.status_code)
    logger.exception("api.unhandled_error")
    return Response({"error": "internal error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def rate_limited(request, exception=None):
    """django-ratelimit's RATELIMIT_VIEW: 429 in our shape rather than its default 403."""
    return JsonResponse({"error": "rate limit exceeded"}, status=429)
