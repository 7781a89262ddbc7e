"""`POST /api/webhooks/box`: Box's signed file events. Verify on the raw bytes, log, queue, answer at once."""

from django.conf import settings
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.inbound.network import source_ip
from tracker.errors import ApplicationError

from .services import box_inbound_receive


class BoxWebhookApi(APIView):
    """Box calls this with no session: CSRF-exempt (APIView), no authentication but the signature."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        body = request.body
        if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
            raise _TooLarge("the body is too large")
        log = box_inbound_receive(body=body, headers=request.headers, remote_addr=source_ip(request))
        return Response({"status": log.outcome, "id": log.event_id})


class _TooLarge(ApplicationError):
    status_code = 413
