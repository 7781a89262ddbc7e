"""What every inbound webhook receiver shares, whoever sends it: the guide's three and the upstream adapters.

Each call goes through these checks, in this order, and the first that fails answers:

1. rate limit per source IP and route      429 {"error": "rate limit exceeded"} + Retry-After
2. method (POST only)                       405 {"error": "method not allowed"}
3. body size (WEBHOOK_MAX_BODY_BYTES)       413 {"error": "payload too large", "maxBytes": ...}
4. `verify(request, body)`: the sender's own signature scheme, over the raw bytes, before anything is parsed
5. `respond(request, body)`: parse and act

Every call, whatever its answer, leaves one WebhookReceipt: in the domain write's own transaction when the write
succeeds (one commit per call), after the rollback when it fails (so it survives a write that was rolled back). It
records the answer's `error` with the detail the caller does not see (the issues of an invalid payload, the
exception behind an "upsert failed"). An exception no check expected answers
500 {"error": "upsert failed", "detail": "reference ..."}.
"""

import hashlib
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from integrations.webhooks.network import source_ip
from integrations.webhooks.ratelimit import webhook_retry_after
from integrations.webhooks.secrets import configured_secrets
from tracker import metrics
from tracker.api.errors import MAX_ISSUES, PayloadTooLarge, flatten_issues
from tracker.api.intake import UpsertFailed, upsert_failed
from tracker.api.parsers import InvalidJSON
from tracker.api.parsers import parse_json as parse_json_body
from tracker.errors import ApplicationError

from . import services

logger = logging.getLogger(__name__)

# The receipt's `error` keeps this much of an answer's detail.
MAX_RECEIPT_ERROR_LENGTH = 2000


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
    """What the receipt row will say, filled in as the checks pass. An empty `outcome` is read off the status."""

    source_ip: str
    external_key: str = ""
    event: str = ""
    payload_id: str = ""
    body_sha256: str = ""
    body_bytes: int = 0
    signature_verified: bool = False
    action: str = ""
    object_id: str = ""
    outcome: str = ""
    detail: str = ""  # what an accepted call did or why it changed nothing


def parse_json(body: bytes):
    """The body as JSON, or WebhookRejected (see `tracker.api.parsers`: NaN/Infinity and deep nesting are refused)."""
    try:
        return parse_json_body(body)
    except InvalidJSON as error:
        raise WebhookRejected(400, "invalid JSON body") from error


def secrets_or_refuse(setting_name: str) -> list[str]:
    """The route's current and previous secrets; none set: 401 `<NAME> not configured`."""
    secrets = configured_secrets(setting_name)
    if not secrets:
        raise WebhookRejected(401, f"{setting_name} not configured")
    return secrets


def header_or_refuse(request, name: str, missing: str = "missing signature header") -> str:
    """A header the sender must send (its signature, its timestamp); absent or blank: 401 `missing`."""
    value = request.headers.get(name, "").strip()
    if not value:
        raise WebhookRejected(401, missing)
    return value


def text_of(value) -> str:
    """A key or name from a payload as text, or "" when it is not a string or a number."""
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


class BaseReceiverApi(APIView, ABC):
    """Shared pipeline of every receiver; subclasses name their `route` and implement `verify` and `respond`."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    parser_classes = ()  # the body is read raw, verified, and only then parsed
    content_negotiation_class = JSONOnlyNegotiation
    http_method_names = ["post"]

    route: str

    def initial(self, request, *args, **kwargs):
        self.receipt = Receipt(source_ip=source_ip(request))
        super().initial(request, *args, **kwargs)
        retry_after = webhook_retry_after(request, route=self.route)
        if retry_after is not None:
            raise exceptions.Throttled(wait=retry_after)

    def post(self, request, *args, **kwargs):
        body = self.read_body(request)
        self.verify(request, body)
        # One transaction and one commit per call: the domain write and, when it succeeds, its receipt. A call
        # that fails rolls back and leaves its receipt afterwards (`finalize_response`), in autocommit.
        try:
            with transaction.atomic():
                response = self.respond(request, body)
                if response.status_code < 400:
                    self.record_receipt(response)
        except Exception:
            self.receipt_recorded = False  # rolled back with the write (even by a failed COMMIT): write it again
            raise
        return response

    @abstractmethod
    def verify(self, request, body: bytes) -> None:
        """Raise WebhookRejected(401, ...) unless the call is signed as the sender signs; set
        `self.receipt.signature_verified` when it is."""

    @abstractmethod
    def respond(self, request, body: bytes):
        """Parse the verified body, act on it, and return the Response."""

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

    def describe_receipt(self, response) -> None:
        """Fill in what the receipt says about `response` beyond the checks' findings (adapters add theirs)."""

    def record_receipt(self, response) -> None:
        """Write the call's one receipt. Called inside the call's transaction when the write succeeded (a failure
        to write it then fails the call, which is answered 500 and leaves its receipt after the rollback), and by
        `finalize_response` for every other answer."""
        if not hasattr(self, "receipt"):
            self.receipt = Receipt(source_ip=source_ip(self.request))
        self.describe_receipt(response)
        receipt = self.receipt
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        error = str(data.get("error", "")) if response.status_code >= 400 else ""
        detail = getattr(self, "failure_detail", "") or data.get("detail")
        if error and detail:
            error = f"{error}: {detail}"[:MAX_RECEIPT_ERROR_LENGTH]
        services.webhook_receipt_record(
            route=self.route, status_code=response.status_code, error=error, **receipt.__dict__
        )
        self.receipt_recorded = True

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not getattr(self, "receipt_recorded", False):
            try:
                self.record_receipt(response)
            except Exception:
                # The answer to the caller stands even if the log write fails; the failure itself is logged.
                logger.exception("inbound.receipt_failed", extra={"route": self.route})
        receipt = getattr(self, "receipt", None) or Receipt(source_ip=source_ip(request))
        metrics.webhook_answered(route=self.route, status_code=response.status_code, outcome=receipt.outcome)
        logger.info(
            "inbound.webhook_answered",
            extra={"route": self.route, "status": response.status_code, "external_key": receipt.external_key},
        )
        return response


def _issues_text(detail) -> str:
    """An invalid payload's first issues as one line for the receipt: `job.number: This field is required.`"""
    issues = flatten_issues(detail, limit=MAX_ISSUES)
    return "; ".join(f"{'.'.join(map(str, issue['path'])) or '(body)'}: {issue['message']}" for issue in issues)
