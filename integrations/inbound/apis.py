"""The three signed webhooks of the Upstream Integration Guide: briefs, OMG projects, deliverables.

Each call goes through the same checks, in this order, and the first that fails answers:

1. rate limit per source IP and route           429 {"error": "rate limit exceeded"} + Retry-After
2. method (POST only)                            405 {"error": "method not allowed"}
3. body size (WEBHOOK_MAX_BODY_BYTES)            413 {"error": "payload too large", "maxBytes": ...}
4. secret configured                             401 {"error": "<NAME>_WEBHOOK_SECRET not configured"}
5. signature header present                      401 {"error": "missing signature header"}
6. signature matches the raw body bytes          401 {"error": "signature mismatch"}
7. body is JSON                                  400 {"error": "invalid JSON body"}
8. payload shape (a JSON object, right fields)   400 {"error": "invalid payload", "issues": [...]}
9. parent project exists (deliverables)          404 {"error": "parent project not found", "hint": ...}
10. the domain write: a refusal answers as on every other intake path (409 for an OMG job number another
    organisation holds, ...); anything unexpected is 500 {"error": "upsert failed", "detail": "reference ..."}

With `<NAME>_WEBHOOK_ALLOW_INSECURE` a call without the header skips 4-6; a header, if sent, is still checked.
Every call, whatever its answer, leaves one WebhookReceipt, which records the answer's `error` with the detail
the caller does not see (the issues of an invalid payload, the exception behind an "upsert failed").
Whatever goes wrong, the answer is one of the guide's: an exception no check expected is an "upsert failed".
"""

import hashlib
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from briefs.services import brief_upsert
from deliverables.models import Transition
from deliverables.services import deliverable_upsert
from integrations.webhooks.network import source_ip
from integrations.webhooks.ratelimit import webhook_retry_after
from projects.services import project_intake
from tracker import metrics
from tracker.api.errors import MAX_ISSUES, PayloadTooLarge, flatten_issues
from tracker.api.intake import UpsertFailed, run_upsert, upsert_failed
from tracker.api.parsers import InvalidJSON
from tracker.api.parsers import parse_json as parse_json_body
from tracker.errors import ApplicationError, NotFoundError
from tracker.services import organisation_default

from . import services
from .models import WebhookReceipt
from .selectors import project_by_omg_job_number
from .serializers import BriefWebhookSerializer, DeliverableWebhookSerializer, OmgWebhookSerializer
from .signatures import signature_matches

logger = logging.getLogger(__name__)

PARENT_PROJECT_HINT = "Project must be created via POST /api/webhooks/omg first."
# How a status set through the deliverables webhook is named in a deliverable's history.
DELIVERABLES_SYSTEM = "deliverables webhook"


class WebhookRejected(ApplicationError):
    """A refusal at one of the receiver's checks, rendered by the API exception handler."""

    def __init__(self, status_code: int, message: str, extra: dict | None = None):
        super().__init__(message, extra)
        self.status_code = status_code


class JSONOnlyNegotiation(BaseContentNegotiation):
    """Machines call webhooks: answer JSON whatever `Accept` says, rather than a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@dataclass
class Receipt:
    """What the receipt row will say, filled in as the checks pass."""

    source_ip: str
    external_key: str = ""
    event: str = ""
    body_sha256: str = ""
    body_bytes: int = 0
    signature_verified: bool = False
    action: str = ""
    object_id: str = ""


# The receipt's `error` keeps this much of an answer's detail.
MAX_RECEIPT_ERROR_LENGTH = 2000


def parse_json(body: bytes):
    """The body as JSON, or WebhookRejected (see `tracker.api.parsers`: NaN/Infinity and deep nesting are refused)."""
    try:
        return parse_json_body(body)
    except InvalidJSON as error:
        raise WebhookRejected(400, "invalid JSON body") from error


def _text(value) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


class WebhookReceiverApi(APIView, ABC):
    """Shared pipeline of the three receivers; subclasses name their route, secret, header and service call."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    parser_classes = ()  # the body is read raw, verified, and only then parsed
    content_negotiation_class = JSONOnlyNegotiation
    http_method_names = ["post"]

    route: str
    secret_setting: str
    insecure_setting: str
    signature_header: str
    serializer_class: type

    def initial(self, request, *args, **kwargs):
        self.receipt = Receipt(source_ip=source_ip(request))
        super().initial(request, *args, **kwargs)
        retry_after = webhook_retry_after(request, route=self.route)
        if retry_after is not None:
            raise exceptions.Throttled(wait=retry_after)

    def post(self, request):
        body = self.read_body(request)
        self.verify_signature(request, body)
        payload = parse_json(body)
        self.receipt.external_key = self.external_key(payload)
        self.receipt.event = _text(payload.get("event")) if isinstance(payload, dict) else ""
        try:
            organisation = organisation_default()
        except ApplicationError as error:
            raise self.upsert_failed(error) from error
        serializer = self.serializer_class(data=payload, context={"organisation": organisation})
        serializer.is_valid(raise_exception=True)
        return Response(self.perform(serializer, organisation))

    def read_body(self, request) -> bytes:
        limit = settings.WEBHOOK_MAX_BODY_BYTES
        too_large = PayloadTooLarge(limit)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        self.receipt.body_bytes = max(declared, 0)
        if declared > limit:  # refuse before reading a byte of it
            raise too_large
        try:
            body = request.body
        except RequestDataTooBig as error:  # WEBHOOK_MAX_BODY_BYTES set above DATA_UPLOAD_MAX_MEMORY_SIZE
            raise too_large from error
        self.receipt.body_bytes = len(body)
        if len(body) > limit:
            raise too_large
        self.receipt.body_sha256 = hashlib.sha256(body).hexdigest()
        return body

    def verify_signature(self, request, body: bytes) -> None:
        header = request.headers.get(self.signature_header, "").strip()
        if not header and getattr(settings, self.insecure_setting):
            logger.warning("inbound.unsigned_call_accepted", extra={"route": self.route})
            return
        secret = getattr(settings, self.secret_setting)
        if not secret:
            raise WebhookRejected(401, f"{self.secret_setting} not configured")
        if not header:
            raise WebhookRejected(401, "missing signature header")
        if not signature_matches(secret, body, header):
            raise WebhookRejected(401, "signature mismatch")
        self.receipt.signature_verified = True

    @abstractmethod
    def external_key(self, payload) -> str:
        """The idempotency key this payload carries, for the receipt (externalId, job number, project + name)."""

    @abstractmethod
    def perform(self, serializer, organisation) -> dict:
        """Run the route's one domain service and return the success body."""

    def upsert_failed(self, error: Exception) -> UpsertFailed:
        external_key = getattr(getattr(self, "receipt", None), "external_key", "")
        return upsert_failed(error, route=self.route, external_key=external_key)

    def handle_exception(self, exc):
        if isinstance(exc, UpsertFailed):
            self.failure_detail = exc.internal_detail
        elif isinstance(exc, exceptions.ValidationError):
            self.failure_detail = _issues_text(exc.detail)
        elif not isinstance(exc, ApplicationError | exceptions.APIException | Http404 | PermissionDenied):
            # Nothing a caller sends should get here; if something does, answer as the guide says our side broke.
            failure = self.upsert_failed(exc)
            self.failure_detail = failure.internal_detail
            exc = failure
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        receipt = getattr(self, "receipt", None) or Receipt(source_ip=source_ip(request))
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        error = str(data.get("error", "")) if response.status_code >= 400 else ""
        detail = getattr(self, "failure_detail", "") or data.get("detail")
        if error and detail:
            error = f"{error}: {detail}"[:MAX_RECEIPT_ERROR_LENGTH]
        try:
            services.webhook_receipt_record(
                route=self.route, status_code=response.status_code, error=error, **receipt.__dict__
            )
        except Exception:
            # The answer to the caller stands even if the log write fails; the failure itself is logged.
            logger.exception("inbound.receipt_failed", extra={"route": self.route})
        metrics.webhook_answered(route=self.route, status_code=response.status_code)
        logger.info(
            "inbound.webhook_answered",
            extra={"route": self.route, "status": response.status_code, "external_key": receipt.external_key},
        )
        return response


def _issues_text(detail) -> str:
    """An invalid payload's first issues as one line for the receipt: `job.number: This field is required.`"""
    issues = flatten_issues(detail, limit=MAX_ISSUES)
    return "; ".join(f"{'.'.join(map(str, issue['path'])) or '(body)'}: {issue['message']}" for issue in issues)


class BriefWebhookApi(WebhookReceiverApi):
    route = WebhookReceipt.Route.BRIEFS
    secret_setting = "BRIEF_WEBHOOK_SECRET"
    insecure_setting = "BRIEF_WEBHOOK_ALLOW_INSECURE"
    signature_header = "X-Brief-Signature"
    serializer_class = BriefWebhookSerializer

    def external_key(self, payload) -> str:
        return _text(payload.get("externalId")) if isinstance(payload, dict) else ""

    def perform(self, serializer, organisation) -> dict:
        fields = dict(serializer.validated_data)
        external_id = fields.pop("external_id", None)
        system = fields.pop("system", "")
        # The brief's source names the sending system; an update that does not name one keeps the stored source.
        create_only = {"source": services.SOURCE_PREFIX}
        if system:
            fields["source"] = f"{services.SOURCE_PREFIX}:{system}"
        brief, created = run_upsert(
            brief_upsert, organisation=organisation, external_id=external_id, create_only=create_only, **fields
        )
        self.receipt.action, self.receipt.object_id = ("created" if created else "updated"), str(brief.pk)
        return {"ok": True, "briefId": str(brief.pk), "status": brief.status, "action": self.receipt.action}


class OmgWebhookApi(WebhookReceiverApi):
    route = WebhookReceipt.Route.OMG
    secret_setting = "OMG_WEBHOOK_SECRET"
    insecure_setting = "OMG_WEBHOOK_ALLOW_INSECURE"
    signature_header = "X-OMG-Signature"
    serializer_class = OmgWebhookSerializer

    def external_key(self, payload) -> str:
        job = payload.get("job") if isinstance(payload, dict) else None
        return _text(job.get("number")) if isinstance(job, dict) else ""

    def perform(self, serializer, organisation) -> dict:
        omg_job_number, fields = serializer.project_fields()
        # A job created without a name is named after its number (a project always has a name).
        create_only = {"source": f"{services.SOURCE_PREFIX}:omg", "name": omg_job_number}
        project, created = run_upsert(
            project_intake, organisation=organisation, omg_job_number=omg_job_number, create_only=create_only, **fields
        )
        self.receipt.action, self.receipt.object_id = ("created" if created else "updated"), str(project.pk)
        return {"ok": True, "projectId": str(project.pk), "action": self.receipt.action}


class DeliverableWebhookApi(WebhookReceiverApi):
    route = WebhookReceipt.Route.DELIVERABLES
    secret_setting = "DELIVERABLE_WEBHOOK_SECRET"
    insecure_setting = "DELIVERABLE_WEBHOOK_ALLOW_INSECURE"
    signature_header = "X-Deliverable-Signature"
    serializer_class = DeliverableWebhookSerializer

    def external_key(self, payload) -> str:
        item = payload.get("deliverable") if isinstance(payload, dict) else None
        if not isinstance(item, dict):
            return ""
        number, name = _text(item.get("projectOmgJobNumber")), _text(item.get("name"))
        return f"{number}/{name}" if number or name else ""

    def perform(self, serializer, organisation) -> dict:
        omg_job_number, name, status, fields = serializer.deliverable_fields()
        project = project_by_omg_job_number(organisation=organisation, omg_job_number=omg_job_number)
        if project is None:
            raise NotFoundError("parent project not found", {"hint": PARENT_PROJECT_HINT})
        deliverable, created = run_upsert(
            deliverable_upsert,
            project=project,
            name=name,
            status=status,
            source=Transition.Source.WEBHOOK,
            system=DELIVERABLES_SYSTEM,
            **fields,
        )
        self.receipt.action, self.receipt.object_id = ("created" if created else "updated"), str(deliverable.pk)
        return {"ok": True, "deliverableId": str(deliverable.pk), "action": self.receipt.action}
