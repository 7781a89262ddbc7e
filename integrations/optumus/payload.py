"""Optumus payloads (seed 004): the envelope every event shares, and what a brief is made of.

The envelope is checked strictly (a wrong type is an `invalid payload` issue): `event`, `occurredAt`, `brandId`,
`brandName`, `data`, and `data.opportunityId` on the events we act on. The seed does not spell out the opportunity
and brief objects ("full opportunity object", "full brief object"), so the fields read from them are read
leniently: a field that is missing, of another type, or not storable is skipped, never refused, and the whole
`data` is kept on the brief as its raw payload. docs/adapters/optumus.md lists the fields read.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from rest_framework import serializers

from tracker.api.fields import (
    DateTimeStringField,
    IdentifierField,
    JSONObjectField,
    RequiredStringField,
    StringField,
    storable_text,
)
from tracker.constants import Priority

MAX_TITLE_LENGTH = 500  # Brief.title
MAX_NAME_LENGTH = 255  # Brief.requestor_name
# Optumus' priority words, case-insensitive; another word leaves the brief's priority as it is.
PRIORITIES = {
    "low": Priority.LOW,
    "medium": Priority.MEDIUM,
    "normal": Priority.MEDIUM,
    "high": Priority.HIGH,
    "urgent": Priority.URGENT,
    "critical": Priority.URGENT,
}
# Where the brief's Markdown may be, first found wins.
MARKDOWN_KEYS = ("markdown", "contentMarkdown", "content", "body")


class EventSerializer(serializers.Serializer):
    event = RequiredStringField(max_length=100)


class EnvelopeSerializer(EventSerializer):
    occurredAt = DateTimeStringField(source="occurred_at")
    brandId = IdentifierField(source="brand_id", required=False, allow_null=True, max_length=255)
    brandName = StringField(source="brand_name", max_length=255)
    data = JSONObjectField()


class OpportunityDataSerializer(serializers.Serializer):
    """What every opportunity event's `data` must carry: the opportunity it is about."""

    opportunityId = IdentifierField(source="opportunity_id", max_length=255)


@dataclass(frozen=True)
class Envelope:
    event: str
    occurred_at: datetime | None
    brand_id: str
    brand_name: str
    data: dict

    @property
    def opportunity_id(self) -> str:
        serializer = OpportunityDataSerializer(data=self.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["opportunity_id"]


def event_of(payload: dict) -> str:
    """The envelope's `event` (a non-blank string), or DRF's ValidationError."""
    serializer = EventSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["event"]


def envelope_from(payload: dict) -> Envelope:
    """The envelope of a JSON object, or DRF's ValidationError (answered 400 `invalid payload` with issues)."""
    serializer = EnvelopeSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    fields = serializer.validated_data
    return Envelope(
        event=fields["event"],
        occurred_at=fields.get("occurred_at"),
        brand_id=fields.get("brand_id") or "",
        brand_name=(fields.get("brand_name") or "").strip(),
        data=fields.get("data") or {},
    )


def _object(parent: dict, key: str) -> dict:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _text(parent: dict, *keys: str) -> str:
    """The first of `keys` holding non-blank, storable text."""
    for key in keys:
        value = parent.get(key)
        if isinstance(value, str) and value.strip() and storable_text(value):
            return value.strip()
    return ""


def _markdown_list(title: str, items) -> list[str]:
    if not isinstance(items, list):
        return []
    lines = []
    for item in items:
        text = _text(item, "heading", "title", "text") if isinstance(item, dict) else _text({"v": item}, "v")
        if text:
            lines.append(f"- {text}")
    return [f"## {title}", "", *lines, ""] if lines else []


def _description(data: dict, brief: dict, opportunity: dict) -> str:
    """The brief's Markdown as Optumus wrote it; without one, a summary built from its parts. Then a short
    "From Optumus" section with the keyword and the page, which the producer needs and the Markdown may omit."""
    markdown = _text(brief, *MARKDOWN_KEYS)
    if markdown:
        parts = [markdown, ""]
    else:
        summary = _text(brief, "summary", "description") or _text(opportunity, "description", "summary")
        parts = [summary, ""] if summary else []
        parts += _markdown_list("Outline", brief.get("outline"))
    details = []
    keyword = _text(brief, "targetKeyword") or _text(opportunity, "targetKeyword")
    if keyword:
        details.append(f"- Target keyword: {keyword}")
    secondary = brief.get("secondaryKeywords")
    secondary = (
        [k.strip() for k in secondary if isinstance(k, str) and storable_text(k) and k.strip()]
        if isinstance(secondary, list)
        else []
    )
    if secondary:
        details.append(f"- Secondary keywords: {', '.join(secondary)}")
    words = brief.get("wordCount")
    if isinstance(words, int) and not isinstance(words, bool) and words > 0:
        details.append(f"- Length: about {words:,} words")
    url = _text(opportunity, "url")
    if url.startswith(("https://", "http://")):
        details.append(f"- Page: <{url}>")
    details.append(f"- Optumus opportunity: `{data.get('opportunityId')}`")
    return "\n".join([*parts, "## From Optumus", "", *details]).strip() + "\n"


def _requestor(data: dict, brief: dict) -> dict:
    person = _object(brief, "author") or _object(data, "sentBy")
    fields = {}
    name = _text(person, "name")
    if name:
        fields["requestor_name"] = name[:MAX_NAME_LENGTH]
    email = _text(person, "email")
    if email and len(email) <= 320:
        try:
            validate_email(email)
        except DjangoValidationError:
            pass
        else:
            fields["requestor_email"] = email
    return fields


def _due_date(brief: dict) -> dict:
    value = brief.get("dueDate")
    if not isinstance(value, str):
        return {}
    try:
        return {"requested_due_date": DateTimeStringField().run_validation(value)}
    except serializers.ValidationError:
        return {}


def brief_fields(envelope: Envelope) -> dict:
    """`brief_upsert`'s fields from a `content_brief.sent` event (without the client team, which needs the
    brand map). Title: `brief.title`, else `opportunity.title`, else the opportunity id."""
    data = envelope.data
    brief, opportunity = _object(data, "brief"), _object(data, "opportunity")
    title = _text(brief, "title") or _text(opportunity, "title") or f"Optumus opportunity {data.get('opportunityId')}"
    fields = {
        "title": title[:MAX_TITLE_LENGTH],
        "description": _description(data, brief, opportunity),
        "raw_payload": data,
        **_requestor(data, brief),
        **_due_date(brief),
    }
    priority = PRIORITIES.get((_text(brief, "priority") or _text(opportunity, "priority")).lower())
    if priority:
        fields["priority"] = priority
    return fields
