"""The external API v1: projects and deliverables for machine clients holding an API key.

Each view parses, reads through `api_v1.selectors`, writes through one service (`api_v1.services`) and
serializes with the one output serializer of its resource (`api_v1.serializers`).
Every query is scoped to the key's organisation. POSTs honour `Idempotency-Key` (see
`tracker/api/idempotency.py`).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from deliverables.models import Transition
from deliverables.services import deliverable_upsert
from projects.services import project_intake
from tracker.api.authentication import ApiKeyAuthentication
from tracker.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from tracker.api.idempotency import IdempotentAPIView
from tracker.api.pagination import paginate
from tracker.api.permissions import HasApiKeyScope
from tracker.api.throttling import ApiKeyRateThrottle
from tracker.models import ApiKey

from .selectors import (
    v1_deliverable_find,
    v1_deliverable_get,
    v1_deliverable_history,
    v1_deliverable_list,
    v1_project_find,
    v1_project_get,
    v1_project_list,
)
from .serializers import (
    DeliverableInputSerializer,
    DeliverableOutputSerializer,
    DeliverablePageSerializer,
    ErrorSerializer,
    PageQuerySerializer,
    ProjectDetailOutputSerializer,
    ProjectInputSerializer,
    ProjectListQuerySerializer,
    ProjectPageSerializer,
    TransitionPageSerializer,
)


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input: `issues` lists what is wrong.",
        401: "Missing, unknown or revoked API key.",
        403: "The API key lacks the scope this operation needs.",
        404: "No such project in the key's organisation.",
        409: "Conflict: a duplicate key, or a request with this Idempotency-Key is still in progress.",
        413: "Request body too large.",
        422: "Idempotency-Key reused with a different request.",
        429: "Rate limit exceeded: retry after `Retry-After` seconds.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


# A project created through the external API records where it came from.
API_SOURCE = "api"
READ_ERRORS = (400, 401, 403, 429)
WRITE_ERRORS = (400, 401, 403, 409, 413, 422, 429)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes the POST safe to retry: the same key with the same request within 24 hours replays the first "
        "response (with `Idempotent-Replayed: true`) and writes nothing."
    ),
)
PROJECT_ID = OpenApiParameter("project_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Project id.")
DELIVERABLE_ID = OpenApiParameter(
    "deliverable_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Deliverable id."
)


class V1ApiView(IdempotentAPIView):
    """API key -> scope -> per-key rate limit, then (POST) the Idempotency-Key."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]

    @property
    def organisation(self):
        return self.request.auth.organisation


class ProjectCollectionApi(V1ApiView):
    required_scopes = {"GET": ApiKey.Scope.PROJECTS_READ, "POST": ApiKey.Scope.PROJECTS_WRITE}

    @extend_schema(
        operation_id="projects_list",
        summary="List projects",
        description="Newest change first; follow `next` for the following page.",
        parameters=[ProjectListQuerySerializer],
        responses={200: ProjectPageSerializer, **_errors(*READ_ERRORS)},
    )
    def get(self, request):
        query = ProjectListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        projects = v1_project_list(
            organisation=self.organisation,
            status=params.get("status"),
            team=params.get("team"),
            omg_job_number=params.get("omgJobNumber"),
            updated_since=params.get("updatedSince"),
            search=params.get("q"),
        )
        page = paginate(projects, cursor=params.get("cursor"), limit=params["limit"])
        return Response(ProjectPageSerializer(page).data)

    @extend_schema(
        operation_id="projects_upsert",
        summary="Create or update a project",
        description=(
            "Upserts on `omgJobNumber` when given (200 on update), otherwise creates (201). Without "
            "`pipelineTemplateId` a new project uses the organisation's default pipeline."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ProjectInputSerializer,
        responses={
            200: OpenApiResponse(ProjectDetailOutputSerializer, description="Updated."),
            201: OpenApiResponse(ProjectDetailOutputSerializer, description="Created."),
            **_errors(*WRITE_ERRORS),
        },
    )
    def post(self, request):
        payload = ProjectInputSerializer(data=request.data, context={"organisation": self.organisation})
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        if fields.get("pipeline_template") is None:  # null or absent: a new project takes the default
            fields.pop("pipeline_template", None)
        project, created = project_intake(
            organisation=self.organisation,
            omg_job_number=fields.pop("omg_job_number", None),
            project_code=fields.pop("project_code", None),
            create_only={"source": API_SOURCE},
            **fields,
        )
        project = v1_project_get(organisation=self.organisation, project_id=project.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ProjectDetailOutputSerializer(project).data, status=code)


class ProjectDetailApi(V1ApiView):
    required_scopes = {"GET": ApiKey.Scope.PROJECTS_READ}

    @extend_schema(
        operation_id="projects_retrieve",
        summary="A project with its deliverables",
        parameters=[PROJECT_ID],
        responses={200: ProjectDetailOutputSerializer, **_errors(401, 403, 404, 429)},
    )
    def get(self, request, project_id: str):
        project = v1_project_get(organisation=self.organisation, project_id=project_id)
        return Response(ProjectDetailOutputSerializer(project).data)


class ProjectDeliverablesApi(V1ApiView):
    required_scopes = {"GET": ApiKey.Scope.PROJECTS_READ, "POST": ApiKey.Scope.DELIVERABLES_WRITE}

    @extend_schema(
        operation_id="deliverables_list",
        summary="List a project's deliverables",
        parameters=[PROJECT_ID, PageQuerySerializer],
        responses={200: DeliverablePageSerializer, **_errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, project_id: str):
        project = v1_project_find(organisation=self.organisation, project_id=project_id)
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = paginate(v1_deliverable_list(project=project), cursor=params.get("cursor"), limit=params["limit"])
        return Response(DeliverablePageSerializer(page).data)

    @extend_schema(
        operation_id="deliverables_upsert",
        summary="Create or update a deliverable",
        description="Upserts on `name` within the project: 201 on create, 200 on update.",
        parameters=[PROJECT_ID, IDEMPOTENCY_PARAMETER],
        request=DeliverableInputSerializer,
        responses={
            200: OpenApiResponse(DeliverableOutputSerializer, description="Updated."),
            201: OpenApiResponse(DeliverableOutputSerializer, description="Created."),
            **_errors(*WRITE_ERRORS, 404),
        },
    )
    def post(self, request, project_id: str):
        project = v1_project_find(organisation=self.organisation, project_id=project_id)
        payload = DeliverableInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        deliverable, created = deliverable_upsert(
            project=project,
            name=fields.pop("name"),
            status=fields.pop("status", None),
            source=Transition.Source.API,
            system=f"API key {request.auth.name}",
            **fields,
        )
        return Response(
            DeliverableOutputSerializer(v1_deliverable_get(pk=deliverable.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeliverableHistoryApi(V1ApiView):
    required_scopes = {"GET": ApiKey.Scope.PROJECTS_READ}

    @extend_schema(
        operation_id="deliverables_history",
        summary="A deliverable's approval trail",
        description=(
            "Every status and stage change of the deliverable, newest first: the intent (what happened), the "
            "status before and after, the stage, the person or upstream system and the door it came through "
            "(`ui`, `webhook`, `api`, `review_session`, `box`, `admin`). Read-only."
        ),
        parameters=[PROJECT_ID, DELIVERABLE_ID, PageQuerySerializer],
        responses={200: TransitionPageSerializer, **_errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, project_id: str, deliverable_id: str):
        project = v1_project_find(organisation=self.organisation, project_id=project_id)
        deliverable = v1_deliverable_find(project=project, deliverable_id=deliverable_id)
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = paginate(
            v1_deliverable_history(deliverable=deliverable),
            cursor=params.get("cursor"),
            limit=params["limit"],
            field="created_at",
        )
        return Response(TransitionPageSerializer(page).data)
