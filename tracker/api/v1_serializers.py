"""Wire shapes of the external API v1: camelCase names, the intake endpoints' enums, ids as strings.

Input serializers only validate and translate names (`projectCode` -> `project_code`); lookups that need
the caller's organisation (team, pipeline template) are resolved against `context["organisation"]`, so an
id from another organisation is "unknown", never a leak.
"""

from datetime import date

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


def _id(value) -> str | None:
    return None if value is None else str(value)


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


class StageProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    currentStage = serializers.CharField(allow_null=True)


class DeliverableOutputSerializer(serializers.Serializer):
    """A deliverable with its stage progress. Expects the `v1_done_stages`/`v1_total_stages` annotations."""

    id = serializers.CharField()
    projectId = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    status = serializers.ChoiceField(choices=Deliverable.Status.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    dueDate = serializers.DateField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    cmfSku = serializers.CharField(allow_blank=True)
    assetCount = serializers.IntegerField(allow_null=True)
    customFields = serializers.DictField(child=serializers.JSONField())
    stageProgress = StageProgressSerializer()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()

    def to_representation(self, deliverable: Deliverable) -> dict:
        return {
            "id": str(deliverable.pk),
            "projectId": str(deliverable.project_id),
            "name": deliverable.name,
            "slug": deliverable.slug,
            "status": deliverable.status,
            "priority": deliverable.priority,
            "dueDate": _iso_date(deliverable.due_date),
            "notes": deliverable.notes,
            "cmfSku": deliverable.cmf_sku,
            "assetCount": deliverable.asset_count,
            "customFields": deliverable.custom_fields or {},
            "stageProgress": {
                "done": deliverable.v1_done_stages,
                "total": deliverable.v1_total_stages,
                "currentStage": deliverable.current_stage.name if deliverable.current_stage else None,
            },
            "createdAt": serializers.DateTimeField().to_representation(deliverable.created_at),
            "updatedAt": serializers.DateTimeField().to_representation(deliverable.updated_at),
        }


class ProjectOutputSerializer(serializers.Serializer):
    """A project as the list shows it. Expects `client_team` joined and the `v1_deliverable_count` annotation."""

    id = serializers.CharField()
    projectCode = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Project.Status.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    omgJobNumber = serializers.CharField(allow_null=True)
    clientTeamId = serializers.CharField(allow_null=True)
    clientTeamSlug = serializers.CharField(allow_null=True)
    businessUnit = serializers.CharField(allow_blank=True)
    client = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    outputs = serializers.IntegerField(allow_null=True)
    startDate = serializers.DateField(allow_null=True)
    dueDate = serializers.DateField(allow_null=True)
    requestor = serializers.CharField(allow_blank=True)
    customFields = serializers.DictField(child=serializers.JSONField())
    pipelineTemplateId = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    deliverableCount = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()

    def to_representation(self, project: Project) -> dict:
        return {
            "id": str(project.pk),
            "projectCode": project.project_code,
            "name": project.name,
            "status": project.status,
            "priority": project.priority,
            "omgJobNumber": project.omg_job_number,
            "clientTeamId": _id(project.client_team_id),
            "clientTeamSlug": project.client_team.slug if project.client_team else None,
            "businessUnit": project.business_unit,
            "client": project.client,
            "description": project.description,
            "notes": project.notes,
            "outputs": project.outputs,
            "startDate": _iso_date(project.start_date),
            "dueDate": _iso_date(project.due_date),
            "requestor": project.requestor,
            "customFields": project.custom_fields or {},
            "pipelineTemplateId": _id(project.pipeline_template_id),
            "source": project.source,
            "deliverableCount": project.v1_deliverable_count,
            "createdAt": serializers.DateTimeField().to_representation(project.created_at),
            "updatedAt": serializers.DateTimeField().to_representation(project.updated_at),
        }


class ProjectDetailOutputSerializer(ProjectOutputSerializer):
    """A project with its deliverables (prefetched with their stage progress)."""

    deliverables = DeliverableOutputSerializer(many=True)

    def to_representation(self, project: Project) -> dict:
        data = super().to_representation(project)
        data["deliverables"] = [DeliverableOutputSerializer(d).data for d in project.deliverables.all()]
        return data


class ProjectPageSerializer(serializers.Serializer):
    results = ProjectOutputSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page; null on the last page.")


class DeliverablePageSerializer(serializers.Serializer):
    results = DeliverableOutputSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page; null on the last page.")
