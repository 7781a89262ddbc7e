import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings

from tracker.health.views import liveness, readiness


class HealthCheckMiddleware:
    """Answers `/healthz` and `/readyz`, at the site root and under TRACKER_BASE_PATH, before any other middleware.

    Probes come from the container runtime or the load balancer, straight to the instance: by its address (not a
    host in ALLOWED_HOSTS), over plain HTTP (SECURE_SSL_REDIRECT would answer 301), without a session. Answering
    here, first in MIDDLEWARE, keeps them free of the host check, the HTTPS redirect, the legacy base-path
    redirect and any login requirement. The answers build no URL from the Host header, so skipping the host check
    opens nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = {}
        for prefix in {"", settings.TRACKER_BASE_PATH}:
            self.routes[f"{prefix}/healthz"] = liveness
            self.routes[f"{prefix}/readyz"] = readiness

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return _run_sync(view, request)


def _run_sync(view, request):
    """django-health-check's view is async; this middleware chain is sync. `async_to_sync` refuses to run in a
    thread that already runs an event loop (a caller embedding Django in one, such as a browser-driving test), so
    there the probe runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(view)(request)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(view), request).result()
