"""`GET <base>/metrics`: the Prometheus exposition (tracker/metrics.py), for a scraper holding METRICS_TOKEN.

With no METRICS_TOKEN the endpoint does not exist (404), so a deployment that does not scrape exposes nothing.
The token is compared in constant time; a missing or wrong one is answered 401.
"""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import metrics


def _bearer(request) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_GET
def metrics_view(request):
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
        response = HttpResponse("unauthorised\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = metrics.render(broker_url=settings.CELERY_BROKER_URL, queues=[settings.CELERY_TASK_DEFAULT_QUEUE])
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
