"""Wire shapes of the external API v1: camelCase names, the intake endpoints' enums, ids as strings.

Input serializers only validate and translate names (`projectCode` -> `project_code`); lookups that need
the caller's organisation (team, pipeline template) are resolved against `context["organisation"]`, so an
id from another organisation is "unknown", never a leak.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deliverables import serializers as intake_deliverables
from deliverables.models import Deliverable
from projects.models import PipelineTemplate, Project
from projects.serializers import ProjectInputSerializer
from tracker.api import fields
from tracker.constants import Priority
from tracker.ids import parse_id


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class DateField(fields.DateOrDateTimeField):
    """A date; an ISO-8601 datetime is accepted too (the webhooks send those)."""


@extend_schema_field({"type": "string", "nullable": True, "description": "A client team's id (not its slug)."})
class ClientTeamIdField(fields.ClientTeamIdField):
    pass


@extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
class CustomFieldsField(fields.JSONObjectField):
    """`customFields`: a JSON object kept on the row."""


@extend_schema_field({"type": "string", "description": "A pipeline template's id."})
class PipelineTemplateIdField(serializers.Field):
    """`pipelineTemplateId`: a pipeline template of the organisation in the context, by id."""

    default_error_messages = {"unknown": "unknown pipeline template"}

    def to_internal_value(self, data) -> PipelineTemplate:
        template = None
        pk = parse_id(data)
        if pk is not None:
            template = PipelineTemplate.objects.filter(organisation=self.context["organisation"], pk=pk).first()
        if template is None:
            self.fail("unknown")
        return template

    def to_representation(self, value):
        return str(value.pk) if value else None


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class PathItemField(serializers.Field):
    def to_representation(self, value):
        return value


class IssueSerializer(serializers.Serializer):
    path = serializers.ListField(child=PathItemField())
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error: `{"error": "..."}`; invalid input adds `issues`."""

    error = serializers.CharField()
    issues = IssueSerializer(many=True, required=False)


class ProjectInputSerializer(ProjectInputSerializer):
    """POST /api/v1/projects: the intake body (same names, enums and rules), where only `name` is required.

    Upserts on `omgJobNumber` when given; only the fields sent are written on update. `projectCode` is
    generated when left out; `pipelineTemplateId` picks the new project's pipeline.
    """

    projectCode = fields.RequiredStringField(source="project_code", max_length=64, required=False)
    status = fields.ChoiceStringField(choices=Project.Status.choices, required=False)
    priority = fields.ChoiceStringField(choices=Priority.choices, required=False)
    clientTeamId = ClientTeamIdField(source="client_team")
    startDate = DateField(source="start_date")
    dueDate = DateField(source="due_date")
    customFields = CustomFieldsField(source="custom_fields")
    pipelineTemplateId = PipelineTemplateIdField(source="pipeline_template", required=False)


class DeliverableInputSerializer(intake_deliverables.DeliverableInputSerializer):
    """POST /api/v1/projects/<id>/deliverables: the intake body, upserting on `name` within the project."""

    priority = fields.ChoiceStringField(choices=Priority.choices, required=False)
    dueDate = DateField(source="due_date")
    customFields = CustomFieldsField(source="custom_fields")


class ProjectListQuerySerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/projects."""

    status = serializers.ChoiceField(choices=Project.Status.choices, required=False, help_text="Project status.")
    team = serializers.CharField(max_length=120, required=False, help_text="Client team slug.")
    omgJobNumber = serializers.CharField(max_length=64, required=False, help_text="Exact OMG job number.")
    updatedSince = serializers.DateTimeField(
        required=False, help_text="ISO-8601 datetime: only projects changed at or after it."
    )
    q = serializers.CharField(max_length=200, required=False, help_text="Search in name, project code, OMG number.")
    cursor = serializers.CharField(max_length=200, required=False, help_text="`next` from the previous page.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50, help_text="Page size, 1 to 100.")


class PageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(max_length=200, required=False, help_text="`next` from the previous page.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50, help_text="Page size, 1 to 100.")


# --- Output -----------------------------------------------------------------------------------------------------
# Each resource has one output serializer, used by every view that answers with it and by the OpenAPI schema.
# Each field is declared once, with the model attribute it reads as its `source`.


class IdField(serializers.CharField):
    """A primary or foreign key on the wire: a string (an integer id today; clients must not rely on that)."""


class JSONObjectOutputField(serializers.DictField):
    """A JSON object column, written as stored; an empty one reads as `{}`."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.JSONField(), **kwargs)

    def get_attribute(self, instance):
        return super().get_attribute(instance) or {}

    def to_representation(self, value):
        return value


# Read from the deliverable itself (`source="*"`): the selector's stage counts and its current stage.
class StageProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="v1_done_stages")
    total = serializers.IntegerField(source="v1_total_stages")
    currentStage = serializers.CharField(source="current_stage.name", allow_null=True)


class DeliverableOutputSerializer(serializers.Serializer):
    """A deliverable with its stage progress. Expects the `v1_done_stages`/`v1_total_stages` annotations."""

    id = IdField(source="pk")
    projectId = IdField(source="project_id")
    name = serializers.CharField()
    slug = serializers.CharField()
    status = serializers.ChoiceField(choices=Deliverable.Status.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    dueDate = serializers.DateField(source="due_date", allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    cmfSku = serializers.CharField(source="cmf_sku", allow_blank=True)
    assetCount = serializers.IntegerField(source="asset_count", allow_null=True)
    customFields = JSONObjectOutputField(source="custom_fields")
    stageProgress = StageProgressSerializer(source="*")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class ProjectOutputSerializer(serializers.Serializer):
    """A project as the list shows it. Expects `client_team` joined and the `v1_deliverable_count` annotation."""

    id = IdField(source="pk")
    projectCode = serializers.CharField(source="project_code")
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Project.Status.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    omgJobNumber = serializers.CharField(source="omg_job_number", allow_null=True)
    clientTeamId = IdField(source="client_team_id", allow_null=True)
    clientTeamSlug = serializers.CharField(source="client_team.slug", allow_null=True)
    businessUnit = serializers.CharField(source="business_unit", allow_blank=True)
    client = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    outputs = serializers.IntegerField(allow_null=True)
    startDate = serializers.DateField(source="start_date", allow_null=True)
    dueDate = serializers.DateField(source="due_date", allow_null=True)
    requestor = serializers.CharField(allow_blank=True)
    customFields = JSONObjectOutputField(source="custom_fields")
    pipelineTemplateId = IdField(source="pipeline_template_id", allow_null=True)
    source = serializers.CharField()
    deliverableCount = serializers.IntegerField(source="v1_deliverable_count")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class ProjectDetailOutputSerializer(ProjectOutputSerializer):
    """A project with its deliverables (prefetched with their stage progress)."""

    deliverables = DeliverableOutputSerializer(many=True)


# The list pages serialize a `tracker.api.pagination.Page` as `{"results": [...], "next": cursor}`.
# (Docstrings of serializers become schema descriptions: these comments keep the published schema as it was.)
class ProjectPageSerializer(serializers.Serializer):
    results = ProjectOutputSerializer(many=True, source="rows")
    next = serializers.CharField(
        source="next_cursor", allow_null=True, help_text="Cursor of the next page; null on the last page."
    )


class DeliverablePageSerializer(serializers.Serializer):
    results = DeliverableOutputSerializer(many=True, source="rows")
    next = serializers.CharField(
        source="next_cursor", allow_null=True, help_text="Cursor of the next page; null on the last page."
    )


class TransitionOutputSerializer(serializers.Serializer):
    """One step of a deliverable's approval trail: what happened, from which status to which, who or which
    upstream system did it, through which door, and when. Read-only: the trail is written by the tracker."""

    id = IdField(source="pk")
    intent = serializers.CharField()
    fromStatus = serializers.ChoiceField(source="from_status", choices=Deliverable.Status.choices)
    toStatus = serializers.ChoiceField(source="to_status", choices=Deliverable.Status.choices)
    stage = serializers.CharField(source="stage_name", allow_blank=True)
    actor = serializers.CharField(source="actor.get_full_name", allow_null=True, default=None)
    system = serializers.CharField(allow_blank=True)
    source = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    createdAt = serializers.DateTimeField(source="created_at")


class TransitionPageSerializer(serializers.Serializer):
    results = TransitionOutputSerializer(many=True, source="rows")
    next = serializers.CharField(
        source="next_cursor", allow_null=True, help_text="Cursor of the next page; null on the last page."
    )
