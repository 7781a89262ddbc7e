"""Wire-format input for projects, shared by the REST twin (`POST /api/projects`), the OMG webhook and
the external API. `validated_data` holds model field names, only those the caller sent."""

from rest_framework import serializers

from tracker.api.fields import (
    ChoiceStringField,
    ClientTeamIdField,
    CountField,
    DateOrDateTimeField,
    IdentifierField,
    JSONObjectField,
    RequiredStringField,
    StringField,
)
from tracker.constants import Priority

from .models import Project


class ProjectInputSerializer(serializers.Serializer):
    """`POST /api/projects` body. `validated_data` holds model field names; `omg_job_number` and
    `project_code` are the keys the caller routes on (upsert by OMG job number, else create)."""

    projectCode = RequiredStringField(source="project_code", max_length=64)
    name = RequiredStringField(max_length=500)
    status = ChoiceStringField(choices=Project.Status.choices)
    priority = ChoiceStringField(choices=Priority.choices)
    omgJobNumber = IdentifierField(source="omg_job_number", required=False, allow_null=True, max_length=64)
    clientTeamId = ClientTeamIdField(source="client_team")
    businessUnit = StringField(source="business_unit", max_length=200)
    client = StringField(max_length=200)
    description = StringField()
    notes = StringField()
    outputs = CountField()
    startDate = DateOrDateTimeField(source="start_date")
    dueDate = DateOrDateTimeField(source="due_date")
    requestor = StringField(max_length=320)
    customFields = JSONObjectField(source="custom_fields")
