"""REST twin of the deliverables webhook: `POST /api/projects/:projectId/deliverables`, with DELIVERABLE_CREATE."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.models import Project
from tracker.api.intake import run_upsert
from tracker.api.parsers import JSONBodyParser
from tracker.api.permissions import permission_required
from tracker.errors import NotFoundError
from tracker.permissions import Permission
from tracker.services import organisation_for_user

from .serializers import DeliverableInputSerializer
from .services import deliverable_upsert


def _project_in(organisation, project_id: int) -> Project:
    project = Project.objects.filter(organisation=organisation, pk=project_id).first()
    if project is None:
        raise NotFoundError("project not found")
    return project


class DeliverableCreateApi(APIView):
    """Create a deliverable in the project, or update the one with the same name there.

    The project is addressed by its internal id and must belong to the user's organisation (else 404).
    """

    parser_classes = [JSONBodyParser]
    permission_classes = [IsAuthenticated, permission_required(Permission.DELIVERABLE_CREATE)]

    def post(self, request, project_id: int):
        project = _project_in(organisation_for_user(request.user), project_id)
        serializer = DeliverableInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        name = fields.pop("name")
        status = fields.pop("status", None)
        deliverable, created = run_upsert(
            deliverable_upsert, project=project, name=name, status=status, actor=request.user, **fields
        )
        action = "created" if created else "updated"
        return Response({"ok": True, "deliverableId": str(deliverable.pk), "action": action})
