"""Wire shapes of the external API v1: camelCase names, the intake endpoints' enums, ids as strings.

Input serializers only validate and translate names (`projectCode` -> `project_code`); lookups that need
the caller's organisation (team, pipeline template) are resolved against `context["organisation"]`, so an
id from another organisation is "unknown", never a leak.
"""

from datetime import date, datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deliverables.models import Deliverable
from projects.models import PipelineTemplate, Project
from tracker.constants import Priority
from tracker.models import ClientTeam

MAX_INT = 2_147_483_647


class DateOrDateTimeField(serializers.DateField):
    """A date; an ISO-8601 datetime is accepted too (the webhooks send those) and keeps its date part."""

    def to_internal_value(self, value):
        if isinstance(value, str) and "T" in value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                pass
        else:
            try:
                return super().to_internal_value(value)
            except serializers.ValidationError:
                pass
        self.fail("invalid", format="YYYY-MM-DD or an ISO-8601 datetime")


def _reject_unstorable(value, path: str = "") -> None:
    """JSON the database cannot store (NUL characters, lone surrogates) is refused as invalid input."""
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_unstorable(key, path)
            _reject_unstorable(item, path)
    elif isinstance(value, list):
        for item in value:
            _reject_unstorable(item, path)
    elif isinstance(value, str):
        if "\x00" in value:
            raise serializers.ValidationError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise serializers.ValidationError("must be valid Unicode text") from None


class CustomFieldsField(serializers.DictField):
    """Free-form JSON object kept on the row (`customFields`)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.JSONField(), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        _reject_unstorable(value)
        return value


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


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, trim_whitespace=True, **kwargs)


class ProjectInputSerializer(serializers.Serializer):
    """POST /api/v1/projects. Upserts on `omgJobNumber` when given; only the fields sent are written on update."""

    projectCode = serializers.CharField(source="project_code", max_length=64, required=False)
    name = serializers.CharField(max_length=500)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    omgJobNumber = serializers.CharField(source="omg_job_number", max_length=64, required=False)
    clientTeamId = serializers.CharField(source="client_team", required=False, allow_null=True)
    businessUnit = _text(200, source="business_unit", required=False)
    client = _text(200, required=False)
    description = _text(20_000, required=False)
    notes = _text(20_000, required=False)
    outputs = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False, allow_null=True)
    startDate = DateOrDateTimeField(source="start_date", required=False, allow_null=True)
    dueDate = DateOrDateTimeField(source="due_date", required=False, allow_null=True)
    requestor = _text(320, required=False)
    customFields = CustomFieldsField(source="custom_fields", required=False)
    pipelineTemplateId = serializers.CharField(source="pipeline_template", required=False)

    def validate_clientTeamId(self, value):
        if value is None:
            return None
        team = ClientTeam.objects.filter(organisation=self.context["organisation"], pk=_int_or_none(value)).first()
        if team is None:
            raise serializers.ValidationError("unknown client team")
        return team

    def validate_pipelineTemplateId(self, value):
        template = PipelineTemplate.objects.filter(
            organisation=self.context["organisation"], pk=_int_or_none(value)
        ).first()
        if template is None:
            raise serializers.ValidationError("unknown pipeline template")
        return template


class DeliverableInputSerializer(serializers.Serializer):
    """POST /api/v1/projects/<id>/deliverables. Upserts on `name` within the project."""

    name = serializers.CharField(max_length=500)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    status = serializers.ChoiceField(choices=Deliverable.Status.choices, required=False)
    dueDate = DateOrDateTimeField(source="due_date", required=False, allow_null=True)
    notes = _text(20_000, required=False)
    cmfSku = _text(120, source="cmf_sku", required=False)
    assetCount = serializers.IntegerField(
        source="asset_count", min_value=0, max_value=MAX_INT, required=False, allow_null=True
    )
    customFields = CustomFieldsField(source="custom_fields", required=False)


def _int_or_none(value: str) -> int | None:
    value = str(value).strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


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
