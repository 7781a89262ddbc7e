"""The three signed webhooks of the Upstream Integration Guide: briefs, OMG projects, deliverables.

Each call goes through the shared checks of `receiver.py` (rate limit 429, POST only 405, body size 413), then
these, in this order, and the first that fails answers:

4. secret configured                             401 {"error": "<NAME>_WEBHOOK_SECRET not configured"}
5. signature header present                      401 {"error": "missing signature header"}
6. signature matches the raw body bytes          401 {"error": "signature mismatch"} (current or previous secret)
7. body is JSON                                  400 {"error": "invalid JSON body"}
8. payload shape (a JSON object, right fields)   400 {"error": "invalid payload", "issues": [...]}
9. parent project exists (deliverables)          404 {"error": "parent project not found", "hint": ...}
10. the domain write: a refusal answers as on every other intake path (409 for an OMG job number another
    organisation holds, ...); anything unexpected is 500 {"error": "upsert failed", "detail": "reference ..."}

With `<NAME>_WEBHOOK_ALLOW_INSECURE` a call without the header skips 4-6; a header, if sent, is still checked.
Every call, whatever its answer, leaves one WebhookReceipt (see `receiver.py`).
"""

import logging
from abc import abstractmethod

from django.conf import settings
from rest_framework.response import Response

from briefs.services import brief_upsert
from deliverables.models import Transition
from deliverables.services import deliverable_upsert
from integrations.webhooks.secrets import any_matches
from projects.services import project_intake
from tracker.api.intake import run_upsert
from tracker.errors import ApplicationError, NotFoundError
from tracker.services import organisation_default

from . import services
from .models import WebhookReceipt
from .receiver import BaseReceiverApi, WebhookRejected, parse_json, secrets_or_refuse
from .receiver import text_of as _text
from .selectors import project_by_omg_job_number
from .serializers import BriefWebhookSerializer, DeliverableWebhookSerializer, OmgWebhookSerializer
from .signatures import signature_matches

logger = logging.getLogger(__name__)

PARENT_PROJECT_HINT = "Project must be created via POST /api/webhooks/omg first."
# How a status set through the deliverables webhook is named in a deliverable's history.
DELIVERABLES_SYSTEM = "deliverables webhook"


class WebhookReceiverApi(BaseReceiverApi):
    """The guide's receivers: `sha256=` HMAC of the raw body, a serializer, one domain service."""

    secret_setting: str
    insecure_setting: str
    signature_header: str
    serializer_class: type

    def respond(self, request, body: bytes):
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

    def verify(self, request, body: bytes) -> None:
        header = request.headers.get(self.signature_header, "").strip()
        if not header and getattr(settings, self.insecure_setting):
            logger.warning("inbound.unsigned_call_accepted", extra={"route": self.route})
            return
        secrets = secrets_or_refuse(self.secret_setting)
        if not header:
            raise WebhookRejected(401, "missing signature header")
        if not any_matches(secrets, lambda secret: signature_matches(secret, body, header)):
            raise WebhookRejected(401, "signature mismatch")
        self.receipt.signature_verified = True

    @abstractmethod
    def external_key(self, payload) -> str:
        """The idempotency key this payload carries, for the receipt (externalId, job number, project + name)."""

    @abstractmethod
    def perform(self, serializer, organisation) -> dict:
        """Run the route's one domain service and return the success body."""


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
