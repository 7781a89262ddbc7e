"""Webhook payloads (Upstream Integration Guide, sections 1-3) and their mapping onto the domain services.

The brief webhook takes the shared brief body unchanged. The OMG job payload maps onto project fields
(status and priority through `projects.omg`, team, assignees, dates, raw); the deliverable payload wraps the shared
deliverable body with the parent's job number and a top-level `raw`. Every serializer's context carries `organisation`.
"""

from rest_framework import serializers

from briefs.serializers import BriefInputSerializer
from deliverables.serializers import DeliverableInputSerializer
from projects.omg import omg_priority, omg_status
from tracker.api.fields import (
    BoundedListField,
    ChoiceStringField,
    CountField,
    DateOrDateTimeField,
    DateTimeStringField,
    IdentifierField,
    JSONObjectField,
    RequiredStringField,
    StringField,
    storable_text,
)
from tracker.constants import Priority

from .selectors import client_team_by_slug_or_name

# ClientTeam names and slugs are at most this long.
MAX_TEAM_LENGTH = 200


class BriefWebhookSerializer(BriefInputSerializer):
    """`POST /api/webhooks/briefs`: the brief body as the guide gives it."""


class OmgStatusField(serializers.Field):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return omg_status(data)

    def to_representation(self, value):
        return value


class OmgPriorityField(serializers.Field):
    default_error_messages = {"invalid": 'Must be one of "priority", "high", "medium", "low".'}

    def to_internal_value(self, data) -> str:
        priority = omg_priority(data) if isinstance(data, str) else None
        if priority is None:
            self.fail("invalid")
        return priority

    def to_representation(self, value):
        return value


class OmgTeamField(serializers.Field):
    """`job.team`: a ClientTeam by slug or name, case-insensitive. An unknown team is ignored (key dropped)."""

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if not storable_text(data):
            raise serializers.ValidationError("Must be valid Unicode text without NUL characters.")
        if len(data) > MAX_TEAM_LENGTH:
            raise serializers.SkipField()  # longer than any team's name or slug: unknown, without a query
        team = client_team_by_slug_or_name(organisation=self.context["organisation"], value=data)
        if team is None:
            raise serializers.SkipField()
        return team

    def to_representation(self, value):
        return value.slug if value else None


class OmgAssigneeSerializer(serializers.Serializer):
    email = StringField(max_length=320)
    role = StringField(max_length=200)


class OmgDatesSerializer(serializers.Serializer):
    accepted = DateOrDateTimeField(source="start_date")
    externalDeadline = DateOrDateTimeField(source="due_date")


class OmgJobSerializer(serializers.Serializer):
    number = IdentifierField(source="omg_job_number", max_length=64)
    name = RequiredStringField(required=False, max_length=500)
    client = StringField(max_length=200)
    team = OmgTeamField(source="client_team")
    category = StringField(source="business_unit", max_length=200)
    priority = OmgPriorityField(required=False)
    status = OmgStatusField(required=False)
    outputs = CountField()
    notes = StringField()
    assignees = BoundedListField(child=OmgAssigneeSerializer(), required=False, allow_null=True, max_length=500)
    dates = OmgDatesSerializer(required=False, allow_null=True)


class OmgWebhookSerializer(serializers.Serializer):
    """`POST /api/webhooks/omg`: an OMG job event. `job.number` is the project's key."""

    # Optional metadata (the guide lists five values): any text is recorded on the receipt, and the job is
    # upserted whatever the event says, so a new event name upstream never bounces a job.
    event = StringField(max_length=100)
    timestamp = DateTimeStringField()
    job = OmgJobSerializer()
    raw = JSONObjectField(source="custom_fields")

    def project_fields(self) -> tuple[str, dict]:
        """`(omg_job_number, fields for project_upsert_by_omg)`, holding only what the payload sent."""
        job = dict(self.validated_data["job"])
        omg_job_number = job.pop("omg_job_number")
        assignees = job.pop("assignees", None) or []
        dates = job.pop("dates", None) or {}
        fields = {**job, **dates}
        requestor = next((a["email"] for a in assignees if a.get("email")), None)
        if requestor:
            fields["requestor"] = requestor
        if "custom_fields" in self.validated_data:
            fields["custom_fields"] = self.validated_data["custom_fields"]
        return omg_job_number, fields


class DeliverableWebhookItemSerializer(DeliverableInputSerializer):
    projectOmgJobNumber = IdentifierField(source="project_omg_job_number", max_length=64)
    priority = ChoiceStringField(choices=Priority.choices, required=False)
    # Upstream extras arrive as the top-level `raw`, not inside the deliverable.
    customFields = None


class DeliverableWebhookSerializer(serializers.Serializer):
    """`POST /api/webhooks/deliverables`: a deliverable keyed by (its project's job number, its name)."""

    event = StringField(max_length=100)
    timestamp = DateTimeStringField()
    deliverable = DeliverableWebhookItemSerializer()
    raw = JSONObjectField(source="custom_fields")

    def deliverable_fields(self) -> tuple[str, str, str | None, dict]:
        """`(project job number, name, status, fields for deliverable_upsert)`, only what the payload sent."""
        fields = dict(self.validated_data["deliverable"])
        omg_job_number = fields.pop("project_omg_job_number")
        name = fields.pop("name")
        status = fields.pop("status", None)
        if "custom_fields" in self.validated_data:
            fields["custom_fields"] = self.validated_data["custom_fields"]
        return omg_job_number, name, status, fields
