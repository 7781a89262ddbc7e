"""REST twin of the briefs webhook: `POST /api/briefs`, for signed-in users with PROJECT_CREATE."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.api.intake import run_upsert
from tracker.api.parsers import JSONBodyParser
from tracker.api.permissions import permission_required
from tracker.permissions import Permission
from tracker.services import organisation_for_user

from .serializers import BriefInputSerializer
from .services import brief_upsert

REST_SOURCE = "rest"


class BriefCreateApi(APIView):
    """Create a brief, or update the one with the same `externalId` in the user's organisation."""

    parser_classes = [JSONBodyParser]
    permission_classes = [IsAuthenticated, permission_required(Permission.PROJECT_CREATE)]

    def post(self, request):
        organisation = organisation_for_user(request.user)
        serializer = BriefInputSerializer(data=request.data, context={"organisation": organisation})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("system", None)  # a REST brief's source is always "rest"
        external_id = fields.pop("external_id", None)
        brief, created = run_upsert(
            brief_upsert,
            organisation=organisation,
            external_id=external_id,
            create_only={"source": REST_SOURCE},
            **fields,
        )
        action = "created" if created else "updated"
        return Response({"ok": True, "briefId": str(brief.pk), "status": brief.status, "action": action})
