"""Writes for inbound webhooks: the intake of each payload into the domain services, and the receipt log.

The intake functions are transactional: a failure anywhere rolls back every domain write of that call.
`webhook_receipt_record` runs outside that transaction, so the log keeps a row for a call whose write was
rolled back. Secrets and signatures never reach either.
"""

from django.db import transaction

from briefs.models import Brief
from briefs.services import brief_upsert
from deliverables.models import Deliverable
from deliverables.services import deliverable_upsert
from projects.models import Project
from projects.services import project_update, project_upsert_by_omg
from tracker.models import Organisation

from .models import WebhookReceipt

SOURCE_PREFIX = "webhook"


@transaction.atomic
def webhook_brief_upsert(*, organisation: Organisation, fields: dict) -> tuple[Brief, bool]:
    """Create or update (by `external_id`) a brief from the briefs webhook. Its source reads "webhook:<system>".

    `fields` is BriefWebhookSerializer's `validated_data`: only the keys sent, so omitted ones keep their values.
    """
    fields = dict(fields)
    external_id = fields.pop("external_id", None)
    system = fields.pop("system", "")
    fields["source"] = f"{SOURCE_PREFIX}:{system}" if system else SOURCE_PREFIX
    return brief_upsert(organisation=organisation, external_id=external_id, **fields)


@transaction.atomic
def webhook_project_upsert(*, organisation: Organisation, omg_job_number: str, fields: dict) -> tuple[Project, bool]:
    """Create or update the project keyed by its OMG job number; a new one gets a generated project code.

    A job created without a name is named after its job number (a project always has a name), and a project
    the webhook created says so in its `source`. Neither touches an existing project.
    """
    project, created = project_upsert_by_omg(organisation=organisation, omg_job_number=omg_job_number, **fields)
    if created:
        project = project_update(project=project, name=project.name or omg_job_number, source=f"{SOURCE_PREFIX}:omg")
    return project, created


@transaction.atomic
def webhook_deliverable_upsert(
    *, project: Project, name: str, status: str | None, fields: dict
) -> tuple[Deliverable, bool]:
    """Create or update the deliverable keyed by `(project, name)`; a new one gets the pipeline's stages."""
    return deliverable_upsert(project=project, name=name, status=status, **fields)


def _loggable(text: str, limit: int | None = None) -> str:
    """Text as the receipt can store it: the caller's key may hold NULs or lone surrogates we refused."""
    text = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:limit] if limit else text


def webhook_receipt_record(
    *,
    route: str,
    status_code: int,
    source_ip: str | None = None,
    external_key: str = "",
    event: str = "",
    body_sha256: str = "",
    body_bytes: int = 0,
    signature_verified: bool = False,
    error: str = "",
    action: str = "",
    object_id: str = "",
) -> WebhookReceipt:
    if status_code < 400:
        outcome = WebhookReceipt.Outcome.ACCEPTED
    elif status_code < 500:
        outcome = WebhookReceipt.Outcome.REJECTED
    else:
        outcome = WebhookReceipt.Outcome.FAILED
    return WebhookReceipt.objects.create(
        route=route,
        status_code=status_code,
        outcome=outcome,
        source_ip=source_ip or None,
        external_key=_loggable(external_key, 600),
        event=_loggable(event, 100),
        body_sha256=body_sha256,
        body_bytes=min(body_bytes, 2**31 - 1),
        signature_verified=signature_verified,
        error=_loggable(error),
        action=action,
        object_id=object_id[:64],
    )
