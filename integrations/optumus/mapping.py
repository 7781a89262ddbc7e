"""Optumus events onto the domain (seed 004), through the upstream services and the briefs' own services.

Dispatch is by `event` (HANDLERS). Every event we act on names an opportunity, and one `UpstreamObject` per
opportunity (kind "opportunity") holds its brief, its last status and the time of the last event applied. Called
inside the receiver's one transaction: the dedupe claim, the ordering state and the domain write commit together.
"""

from datetime import datetime

from rest_framework import serializers

from briefs.services import brief_reject, brief_upsert
from integrations.inbound.receiver import text_of
from integrations.inbound.selectors import client_team_by_slug_or_name
from integrations.upstream import services as upstream
from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject
from integrations.upstream.receiver import Outcome, Status
from tracker.api.fields import IdentifierField, RequiredStringField, StringField
from tracker.api.intake import run_upsert
from tracker.errors import ConflictError
from tracker.models import ClientTeam, Organisation

from .payload import Envelope, brief_fields, envelope_from, event_of

PROVIDER = Provider.OPTUMUS
KIND = "opportunity"
SOURCE = "webhook:optumus"
DISMISSED = "dismissed"
DISMISSED_REASON = "Dismissed in Optumus"
# The opportunity's status changes kept on its UpstreamObject, newest last.
MAX_STATUS_HISTORY = 50


class StatusChangedSerializer(serializers.Serializer):
    opportunityId = IdentifierField(source="opportunity_id", max_length=255)
    status = RequiredStringField(max_length=50)
    previousStatus = StringField(source="previous_status", max_length=50)
    reason = StringField(max_length=2000)


def client_team(envelope: Envelope, organisation: Organisation) -> ClientTeam | None:
    """The brand map: a row for the `brandId` wins over one for the `brandName`; without a row, the client team
    named (or slugged) like the brand."""
    if envelope.brand_id:
        target = upstream.mapped(
            organisation=organisation, provider=PROVIDER, kind=UpstreamMapping.Kind.BRAND, value=envelope.brand_id
        )
        if target:
            return client_team_by_slug_or_name(organisation=organisation, value=target)
    if envelope.brand_name:
        return upstream.mapped_team(organisation=organisation, provider=PROVIDER, value=envelope.brand_name)
    return None


def _opportunity_data(envelope: Envelope) -> dict:
    """What the UpstreamObject keeps of the opportunity, for the admin list: its title, status and brand."""
    opportunity = envelope.data.get("opportunity")
    opportunity = opportunity if isinstance(opportunity, dict) else {}
    kept = {"brandId": envelope.brand_id, "brandName": envelope.brand_name}
    for key in ("title", "status", "type", "url"):
        value = opportunity.get(key)
        if isinstance(value, str) and value:
            kept[key] = value[:500]
    return {key: value for key, value in kept.items() if value}


def _content_brief_sent(envelope: Envelope, obj: UpstreamObject, outcome: Outcome) -> None:
    """A brief upserted on the opportunity id: new in the inbox, or its text updated. `brief_upsert` never changes
    a brief's triage status, so a brief already accepted or rejected here stays so."""
    fields = brief_fields(envelope)
    team = client_team(envelope, obj.organisation)
    if team is not None:
        fields["client_team"] = team
    brief, created = run_upsert(
        brief_upsert,
        organisation=obj.organisation,
        external_id=envelope.opportunity_id,
        create_only={"source": SOURCE},
        **fields,
    )
    upstream.object_touch(obj, data={"status": "sent", **_opportunity_data(envelope)}, brief=brief)
    outcome.action, outcome.object_id = ("created" if created else "updated"), str(brief.pk)
    outcome.detail = "brief created in the inbox" if created else f"brief updated (it is {brief.status.lower()})"


def _opportunity_created(envelope: Envelope, obj: UpstreamObject, outcome: Outcome) -> None:
    """Recorded only: the receipt and the opportunity's object. A brief comes with `content_brief.sent`."""
    upstream.object_touch(obj, data={"status": "new", **_opportunity_data(envelope)})
    outcome.action, outcome.detail = "recorded", "opportunity recorded; nothing in the inbox until its brief is sent"


def _rejection_reason(fields: dict, changed_by) -> str:
    who = changed_by.get("name") if isinstance(changed_by, dict) else None
    reason = DISMISSED_REASON + (f" by {who.strip()}" if isinstance(who, str) and who.strip() else "")
    return f"{reason}: {fields['reason'].strip()}" if fields.get("reason", "").strip() else reason


def _status_changed(envelope: Envelope, obj: UpstreamObject, outcome: Outcome) -> None:
    """`dismissed` rejects the opportunity's brief if it is still pending. Briefs have no history of their own,
    so any other status (and a dismissal of a brief already decided) is recorded on the object and the receipt."""
    serializer = StatusChangedSerializer(data=envelope.data)
    serializer.is_valid(raise_exception=True)
    fields = serializer.validated_data
    status, previous = fields["status"].strip(), (fields.get("previous_status") or "").strip()
    history = [*obj.data.get("statusHistory", []), {"status": status, "previous": previous, "at": _iso(obj)}]
    upstream.object_touch(obj, data={"status": status, "statusHistory": history[-MAX_STATUS_HISTORY:]})
    change = f"status {previous or '?'} → {status}"
    outcome.action, outcome.object_id = "recorded", str(obj.brief_id or "")
    brief = obj.brief
    if status.lower() != DISMISSED:
        outcome.detail = f"{change} recorded"
        return
    if brief is None:
        outcome.detail = f"{change} recorded; no brief was sent for this opportunity"
        return
    try:
        brief_reject(brief=brief, actor=None, reason=_rejection_reason(fields, envelope.data.get("changedBy")))
    except ConflictError:
        # Decided here already: an accepted brief's project exists, a rejected one has its reason.
        brief.refresh_from_db(fields=["status"])
        outcome.detail = f"{change} recorded; the brief is {brief.status.lower()} and was left as it is"
        return
    outcome.action, outcome.detail = "rejected", f"{change}: brief rejected"


def _iso(obj: UpstreamObject) -> str | None:
    return obj.last_event_at.isoformat() if obj.last_event_at else None


HANDLERS = {
    "content_brief.sent": _content_brief_sent,
    "opportunity.created": _opportunity_created,
    "opportunity.status_changed": _status_changed,
}


def handle(payload: dict, *, organisation: Organisation, payload_id: str, signed_at: datetime, outcome: Outcome):
    """Apply one Optumus delivery. `payload_id` is the body's SHA-256 (the envelope has no delivery id, and a retry
    re-sends the same body); `signed_at` orders an envelope without `occurredAt`."""
    outcome.payload_id, outcome.event = payload_id, text_of(payload.get("event"))
    if outcome.event not in HANDLERS:
        event_of(payload)  # still an Optumus envelope: a non-blank `event`
        outcome.status, outcome.detail = Status.IGNORED, f"event {outcome.event!r} is not acted on"
        return outcome
    envelope = envelope_from(payload)
    outcome.object_keys = f"{KIND}:{envelope.opportunity_id}"
    if not upstream.payload_claim(provider=PROVIDER, payload_id=payload_id):
        outcome.status, outcome.detail = Status.DUPLICATE, "this body was already applied"
        return outcome
    obj = upstream.object_lock(
        organisation=organisation, provider=PROVIDER, kind=KIND, external_id=envelope.opportunity_id
    )
    event_at = envelope.occurred_at or signed_at
    if upstream.object_is_stale(obj, event_at):
        outcome.status = Status.STALE
        outcome.detail = f"occurred {event_at.isoformat()}, before the last event applied ({_iso(obj)})"
        return outcome
    upstream.object_touch(obj, event_at=event_at)
    HANDLERS[envelope.event](envelope, obj, outcome)
    return outcome
