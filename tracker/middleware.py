from django.conf import settings
from django.http import HttpResponsePermanentRedirect

from tracker.errors import ApplicationError


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308  # unlike 301, a 308 makes clients repeat a POST with its body


class LegacyBasePathRedirectMiddleware:
    """Old base paths (TRACKER_LEGACY_BASE_PATHS) answer 308 to the same URL under TRACKER_BASE_PATH.

    A 308 keeps the method and body, so an upstream system still posting webhooks to the old path keeps
    working after a rename.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.legacy = sorted(settings.TRACKER_LEGACY_BASE_PATHS, key=len, reverse=True)

    def __call__(self, request):
        path = request.path_info
        for old in self.legacy:
            if path == old or path.startswith(old + "/"):
                target = settings.TRACKER_BASE_PATH + path[len(old) :]
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirectKeepMethod((target or "/") + (f"?{query}" if query else ""))
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """Turns a domain refusal that reached a page view uncaught into its page: NotFoundError -> 404,
    PermissionDeniedError -> 403, any other ApplicationError -> its status with the message. DRF views answer
    through their own exception handler (`tracker.api.errors`) and never get here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            from tracker.views import application_error

            return application_error(request, exception)
        return None
