"""Wire-format input for briefs (Upstream Integration Guide, section 1), shared by every intake path.

`validated_data` is keyed by Brief's field names and holds only the keys the caller sent; pass it to
`briefs.services.brief_upsert`, after taking out `external_id` and `system` (the caller decides what the
brief's `source` reads). The serializer's context must carry `organisation`, for `clientTeamSlug`.
"""

from rest_framework import serializers

from tracker.api.fields import (
    ChoiceStringField,
    DateTimeStringField,
    EmailStringField,
    IdentifierField,
    JSONObjectField,
    RequiredStringField,
    StringField,
    TemplateCopyMixin,
    storable_text,
)
from tracker.constants import Priority
from tracker.models import ClientTeam
from tracker.selectors import client_team_find

# Brief.source is 120 characters and reads "webhook:<system>" or similar.
MAX_SYSTEM_LENGTH = 100


class ClientTeamSlugField(TemplateCopyMixin, serializers.Field):
    """`clientTeamSlug`: a ClientTeam slug in the context's organisation (case-insensitive).

    An unknown slug is silently ignored, as the guide promises: the key is dropped from `validated_data`,
    so a new brief gets no team and an existing brief keeps its team. `null` clears the team.
    """

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> ClientTeam:
        if not isinstance(data, str):
            self.fail("invalid")
        if not storable_text(data):
            raise serializers.ValidationError("Must be valid Unicode text without NUL characters.")
        team = client_team_find(organisation=self.context["organisation"], slug=data)
        if team is None:
            raise serializers.SkipField()
        return team

    def to_representation(self, value):
        return value.slug if value else None


class BriefInputSerializer(serializers.Serializer):
    """A brief as upstream systems and internal tools send it."""

    externalId = IdentifierField(source="external_id", required=False, allow_null=True, max_length=255)
    title = RequiredStringField(max_length=500)
    description = StringField()
    requestorName = StringField(source="requestor_name", max_length=255)
    requestorEmail = EmailStringField(source="requestor_email", max_length=320)
    priority = ChoiceStringField(choices=Priority.choices, required=False)
    requestedDueDate = DateTimeStringField(source="requested_due_date")
    clientTeamSlug = ClientTeamSlugField(source="client_team")
    system = StringField(max_length=MAX_SYSTEM_LENGTH)
    rawPayload = JSONObjectField(source="raw_payload")
