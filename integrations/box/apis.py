"""`POST /api/webhooks/box`: Box's signed file events. Verify on the raw bytes, log, queue, answer at once.

Before anything else the call is counted against the per-source-IP webhook rate limit every webhook route
shares (WEBHOOK_RATE_LIMIT, counted per route; `integrations.webhooks.ratelimit`): over it the answer is
429 `{"error": "rate limit exceeded"}` with `Retry-After`, and no log row is written and no signature computed,
so a flood costs a cache increment per call. A body over WEBHOOK_MAX_BODY_BYTES is then refused with 413
`{"error": "payload too large", "maxBytes": ...}` before a byte of it is read, and without a log row either.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.webhooks.network import source_ip
from integrations.webhooks.ratelimit import webhook_retry_after
from tracker import metrics
from tracker.api.errors import PayloadTooLarge

from .services import box_inbound_receive

RATE_LIMIT_ROUTE = "box"


class BoxWebhookApi(APIView):
    """Box calls this with no session: CSRF-exempt (APIView), no authentication but the signature."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        retry_after = webhook_retry_after(request, route=RATE_LIMIT_ROUTE)
        if retry_after is not None:
            raise exceptions.Throttled(wait=retry_after)

    def post(self, request):
        body = _body(request, limit=settings.WEBHOOK_MAX_BODY_BYTES)
        log = box_inbound_receive(body=body, headers=request.headers, remote_addr=source_ip(request))
        return Response({"status": log.outcome, "id": log.event_id})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        metrics.webhook_answered(route=RATE_LIMIT_ROUTE, status_code=response.status_code)
        return response


def _body(request, *, limit: int) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(limit)
    try:
        body = request.body
    except RequestDataTooBig as error:
        raise PayloadTooLarge(limit) from error
    if len(body) > limit:
        raise PayloadTooLarge(limit)
    return body
