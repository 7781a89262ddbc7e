from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponsePermanentRedirect
from django.template.loader import render_to_string

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


class HtmxMessagesMiddleware:
    """One-shot messages on htmx answers. A fragment swapped into the page does not redraw the banner at its top,
    so without this an action's confirmation stayed queued (and showed up, with the next ones, on some later
    page) and the banner already on screen lingered through every later action. An htmx POST's HTML fragment, and
    any htmx fragment with messages waiting, gets `includes/messages.html` appended out-of-band: it replaces the
    banners with this answer's messages (none clears them). A fragment that drew its messages itself (the
    deliverable page) has used them; the banner is then only cleared. Redirects keep the messages for the page
    they lead to. Sits after MessageMiddleware and HtmxMiddleware in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.streaming or response.status_code >= 500:
            return response
        if response.status_code in (204, 286) or 300 <= response.status_code < 400 or "HX-Redirect" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html") or b"<html" in response.content[:400]:
            return response
        storage = get_messages(request)
        pending = not storage.used and len(storage) > 0
        if request.method == "GET" and not pending:
            return response  # a poll or a live filter with nothing to say leaves the banner alone
        fragment = render_to_string("includes/messages.html", {"messages": storage if pending else [], "oob": True})
        response.content += fragment.encode()
        return response
