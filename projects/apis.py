"""REST twin of the OMG webhook: `POST /api/projects`, for signed-in users with PROJECT_CREATE.

Also home to the small pieces the intake APIs share (the JSON parser, the permission gate and the
"upsert failed" error), since briefs and deliverables build on projects.
"""

import logging

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.errors import ApplicationError
from tracker.permissions import Permission, has_permission
from tracker.services import organisation_for_user

from .serializers import ProjectInputSerializer
from .services import project_create, project_upsert_by_omg

logger = logging.getLogger(__name__)

MAX_DETAIL_LENGTH = 1000


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, also refusing nesting deep enough to exhaust the decoder (a RecursionError there
    would otherwise surface as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON nested too deeply") from error


def permission_required(permission: Permission) -> type[BasePermission]:
    """A DRF permission class granting `permission` (tracker.permissions); anonymous callers get 401."""

    class HasTrackerPermission(BasePermission):
        message = "permission denied"

        def has_permission(self, request, view) -> bool:
            return has_permission(request.user, permission)

    HasTrackerPermission.__name__ = f"Has{permission.value.title().replace('_', '')}"
    return HasTrackerPermission


class UpsertFailed(ApplicationError):
    """Our side broke while writing: `{"error": "upsert failed", "detail": "..."}` with a 500."""

    status_code = 500

    def __init__(self, error: Exception):
        detail = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        super().__init__("upsert failed", {"detail": detail[:MAX_DETAIL_LENGTH]})


def run_upsert(call, **kwargs):
    """Run an intake service. A refusal it raises (ApplicationError: 409, 404 ...) passes through; anything
    else is logged with its traceback and answered as "upsert failed", the transaction rolled back."""
    try:
        return call(**kwargs)
    except ApplicationError:
        raise
    except Exception as error:
        logger.exception("intake.upsert_failed", extra={"service": getattr(call, "__name__", repr(call))})
        raise UpsertFailed(error) from error


def _action(created: bool) -> str:
    return "created" if created else "updated"


class ProjectCreateApi(APIView):
    """Create a project, or update the one with the same `omgJobNumber` when one is given.

    Without `omgJobNumber` a duplicate `projectCode` is a 409. On an update the stored project code stays.
    """

    parser_classes = [JSONBodyParser]
    permission_classes = [IsAuthenticated, permission_required(Permission.PROJECT_CREATE)]

    def post(self, request):
        organisation = organisation_for_user(request.user)
        serializer = ProjectInputSerializer(data=request.data, context={"organisation": organisation})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        project_code = fields.pop("project_code")
        omg_job_number = fields.pop("omg_job_number", None)
        if omg_job_number:
            project, created = run_upsert(
                project_upsert_by_omg,
                organisation=organisation,
                omg_job_number=omg_job_number,
                project_code=project_code,
                **fields,
            )
        else:
            project, created = (
                run_upsert(
                    project_create,
                    organisation=organisation,
                    project_code=project_code,
                    owner=request.user,
                    source="rest",
                    **fields,
                ),
                True,
            )
        return Response({"ok": True, "projectId": str(project.pk), "action": _action(created)})
