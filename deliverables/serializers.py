"""Wire-format input for deliverables (Upstream Integration Guide, section 3), shared by every intake path.

`validated_data` is keyed by Deliverable's field names and holds only the keys the caller sent: `name` and
`status` are `deliverables.services.deliverable_upsert`'s own arguments, the rest go in as `**fields`.
"""

from rest_framework import serializers

from tracker.api.fields import (
    ChoiceStringField,
    CountField,
    DateOrDateTimeField,
    JSONObjectField,
    RequiredStringField,
    StringField,
)
from tracker.constants import Priority

from .models import Deliverable


class DeliverableInputSerializer(serializers.Serializer):
    """`POST /api/projects/:projectId/deliverables` body: `name` and `priority` are required."""

    name = RequiredStringField(max_length=500)
    priority = ChoiceStringField(choices=Priority.choices)
    status = ChoiceStringField(choices=Deliverable.Status.choices, required=False)
    dueDate = DateOrDateTimeField(source="due_date")
    notes = StringField()
    cmfSku = StringField(source="cmf_sku", max_length=120)
    assetCount = CountField(source="asset_count")
    customFields = JSONObjectField(source="custom_fields")
