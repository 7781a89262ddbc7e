"""REST twin of the OMG webhook: `POST /api/projects`, for signed-in users with PROJECT_CREATE."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.api.intake import run_upsert
from tracker.api.parsers import JSONBodyParser
from tracker.api.permissions import permission_required
from tracker.permissions import Permission
from tracker.services import organisation_for_user

from .serializers import ProjectInputSerializer
from .services import project_intake


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
        project, created = run_upsert(
            project_intake,
            organisation=organisation,
            omg_job_number=fields.pop("omg_job_number", None),
            project_code=fields.pop("project_code"),
            create_only={"owner": request.user, "source": "rest"},
            **fields,
        )
        return Response({"ok": True, "projectId": str(project.pk), "action": "created" if created else "updated"})
