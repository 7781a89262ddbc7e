"""Review APIs (session auth): one view per resource, input validated by a nested serializer, one service call,
output built from what the selectors prefetched. Ids in the output are strings, like every API of the project.
Refusals (and NotFoundError from the selectors) come out of `tracker.api.errors` as JSON."""

from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.api.fields import BoundedListField, IdField, TextField
from tracker.api.pagination import paginate, parse_limit
from tracker.errors import NotFoundError
from tracker.services import organisation_for_user

from . import selectors
from .models import FeedbackItem, ReviewSession, ReviewSessionItem
from .services.feedback import annotation_create, feedback_item_create, feedback_item_delete, feedback_item_update
from .services.sessions import (
    review_session_add_item,
    review_session_complete,
    review_session_create,
    review_session_decide,
    review_session_remove_item,
    review_session_reorder,
    review_session_start,
    review_session_update,
)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _id(pk) -> str | None:
    return str(pk) if pk is not None else None


def _user(user) -> dict | None:
    return {"id": _id(user.pk), "name": str(user)} if user else None


def revision_out(revision) -> dict | None:
    if revision is None:
        return None
    return {
        "id": _id(revision.pk),
        "round": revision.round,
        "fileName": revision.original_name,
        "contentType": revision.content_type,
        "size": revision.size,
        "url": reverse("reviews:revision_file", args=[revision.pk]),
        "createdAt": _iso(revision.created_at),
    }


def feedback_out(item: FeedbackItem) -> dict:
    annotation = item.annotation
    return {
        "id": _id(item.pk),
        "stageId": _id(item.stage_id),
        "revisionId": _id(item.revision_id),
        "round": item.revision.round if item.revision_id else None,
        "body": item.body,
        "isActionItem": item.is_action_item,
        "status": item.status,
        "author": _user(item.author),
        "createdAt": _iso(item.created_at),
        "editedBy": _user(item.edited_by),
        "editedAt": _iso(item.edited_at),
        "resolvedBy": _user(item.resolved_by),
        "resolvedAt": _iso(item.resolved_at),
        "reopenedBy": _user(item.reopened_by),
        "reopenedAt": _iso(item.reopened_at),
        "carriedFromId": _id(item.carried_from_id),
        "annotation": {"id": _id(annotation.pk), "x": annotation.x, "y": annotation.y} if annotation else None,
    }


def item_out(item: ReviewSessionItem) -> dict:
    deliverable = item.deliverable
    return {
        "id": _id(item.pk),
        "position": item.position,
        "deliverable": {"id": _id(deliverable.pk), "name": deliverable.name, "status": deliverable.status},
        "projectId": _id(deliverable.project_id),
        "stage": {"id": _id(item.stage.pk), "name": item.stage.name, "status": item.stage.status},
        "revision": revision_out(item.revision),
        "decision": item.decision,
        "notes": item.notes,
        "decidedBy": _user(item.decided_by),
        "decidedAt": _iso(item.decided_at),
        "openActionItems": getattr(item, "open_count", None) or 0,
    }


def session_out(session: ReviewSession, *, with_items: bool = True) -> dict:
    data = {
        "id": _id(session.pk),
        "title": session.title,
        "status": session.status,
        "presenter": _user(session.presenter),
        "createdAt": _iso(session.created_at),
        "startedAt": _iso(session.started_at),
        "completedAt": _iso(session.completed_at),
    }
    if with_items:
        data["items"] = [item_out(item) for item in session.items.all()]
    else:
        data["itemCount"] = session.item_count
        data["decidedCount"] = session.decided_count
    return data


def _organisation(request):
    return organisation_for_user(request.user)


def _session(request, pk: int) -> ReviewSession:
    return selectors.review_session_get(organisation=_organisation(request), pk=pk)


def _item(request, session: ReviewSession, pk: int) -> ReviewSessionItem:
    return selectors.review_session_item_get(organisation=_organisation(request), session=session, pk=pk)


def _fresh_item(request, session: ReviewSession, item: ReviewSessionItem) -> dict:
    """The item as the session's selector loads it (deliverable, stage, revision, counts), for the output."""
    return item_out(next(i for i in _session(request, session.pk).items.all() if i.pk == item.pk))


def _reload(request, session) -> dict:
    return session_out(_session(request, session.pk))


# A request names at most this many items: each id is looked up, one query apiece, before the service runs.
MAX_SESSION_ITEMS = 500


def _presenter(request, presenter_id):
    if presenter_id is None:
        return None
    try:
        return selectors.user_get(organisation=_organisation(request), pk=presenter_id)
    except NotFoundError as error:
        raise serializers.ValidationError({"presenterId": ["no such user in your organisation"]}) from error


class ReviewSessionListApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = TextField(max_length=200)
        presenterId = IdField(required=False)
        deliverableIds = BoundedListField(child=IdField(), required=False, default=list, max_length=MAX_SESSION_ITEMS)

    def get(self, request):
        wanted = request.query_params.get("status")
        if wanted and wanted not in ReviewSession.Status.values:
            raise serializers.ValidationError({"status": [f"must be one of {', '.join(ReviewSession.Status.values)}"]})
        limit = parse_limit(request.query_params.get("limit"))
        sessions = selectors.review_session_list(organisation=_organisation(request), status=wanted)
        # Newest first a page at a time (sessions are only ever added): `next` is the cursor of the following page.
        page = paginate(sessions, cursor=request.query_params.get("cursor"), limit=limit, field="created_at")
        return Response({"results": [session_out(s, with_items=False) for s in page.rows], "next": page.next_cursor})

    def post(self, request):
        data = self._validated(request)
        organisation = _organisation(request)
        deliverables = [selectors.deliverable_get(organisation=organisation, pk=pk) for pk in data["deliverableIds"]]
        session = review_session_create(
            title=data["title"],
            presenter=_presenter(request, data.get("presenterId")),
            deliverables=deliverables,
            actor=request.user,
        )
        return Response(_reload(request, session), status=status.HTTP_201_CREATED)

    def _validated(self, request) -> dict:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ReviewSessionDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = TextField(max_length=200, required=False)
        presenterId = IdField(required=False)

    def get(self, request, pk: int):
        return Response(session_out(_session(request, pk)))

    def patch(self, request, pk: int):
        session = _session(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review_session_update(
            session=session,
            title=data.get("title"),
            presenter=_presenter(request, data.get("presenterId")),
            actor=request.user,
        )
        return Response(_reload(request, session))

    put = patch


class ReviewSessionItemsApi(APIView):
    class AddSerializer(serializers.Serializer):
        deliverableId = IdField()

    class ReorderSerializer(serializers.Serializer):
        itemIds = BoundedListField(child=IdField(), allow_empty=False, max_length=MAX_SESSION_ITEMS)

    def get(self, request, pk: int):
        session = _session(request, pk)
        return Response({"results": [item_out(item) for item in session.items.all()]})

    def post(self, request, pk: int):
        session = _session(request, pk)
        serializer = self.AddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deliverable = selectors.deliverable_get(
            organisation=_organisation(request), pk=serializer.validated_data["deliverableId"]
        )
        item = review_session_add_item(session=session, deliverable=deliverable, actor=request.user)
        return Response(_fresh_item(request, session, item), status=status.HTTP_201_CREATED)

    def put(self, request, pk: int):
        session = _session(request, pk)
        serializer = self.ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_session_reorder(session=session, item_ids=serializer.validated_data["itemIds"], actor=request.user)
        return Response({"results": _reload(request, session)["items"]})

    patch = put


class ReviewSessionItemApi(APIView):
    def delete(self, request, pk: int, item_pk: int):
        session = _session(request, pk)
        item = _item(request, session, item_pk)
        review_session_remove_item(session=session, item=item, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewSessionStartApi(APIView):
    def post(self, request, pk: int):
        session = _session(request, pk)
        review_session_start(session=session, actor=request.user)
        return Response(_reload(request, session))


class ReviewSessionCompleteApi(APIView):
    def post(self, request, pk: int):
        session = _session(request, pk)
        review_session_complete(session=session, actor=request.user)
        return Response(_reload(request, session))


class ReviewSessionDecisionApi(APIView):
    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=[d for d in ReviewSessionItem.Decision.values if d != ReviewSessionItem.Decision.PENDING]
        )
        notes = TextField(required=False, allow_blank=True, default="")

    def post(self, request, pk: int, item_pk: int):
        session = _session(request, pk)
        item = _item(request, session, item_pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_session_decide(
            session=session,
            item=item,
            decision=serializer.validated_data["decision"],
            notes=serializer.validated_data["notes"],
            actor=request.user,
        )
        return Response(_fresh_item(request, session, item))


class StageFeedbackApi(APIView):
    class InputSerializer(serializers.Serializer):
        body = TextField()
        isActionItem = serializers.BooleanField(required=False, default=True)
        revisionId = IdField(required=False)
        x = serializers.FloatField(required=False, min_value=0, max_value=1)
        y = serializers.FloatField(required=False, min_value=0, max_value=1)

        def validate(self, data):
            if ("x" in data) != ("y" in data):
                raise serializers.ValidationError({"x" if "x" not in data else "y": ["give both x and y for a pin"]})
            return data

    def get(self, request, pk: int):
        organisation = _organisation(request)
        stage = selectors.stage_get(organisation=organisation, pk=pk)
        feedback = selectors.feedback_for_stage(organisation=organisation, stage=stage)
        return Response({"results": [feedback_out(item) for item in feedback]})

    def post(self, request, pk: int):
        organisation = _organisation(request)
        stage = selectors.stage_get(organisation=organisation, pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        revision = None
        if "revisionId" in data:
            revision = selectors.revision_get(organisation=organisation, pk=data["revisionId"])
        if "x" in data:
            annotation = annotation_create(
                stage=stage, revision=revision, x=data["x"], y=data["y"], body=data["body"], actor=request.user
            )
            item = annotation.feedback_items.get()
        else:
            item = feedback_item_create(
                stage=stage,
                revision=revision,
                body=data["body"],
                is_action_item=data["isActionItem"],
                actor=request.user,
            )
        created = selectors.feedback_item_get(organisation=organisation, pk=item.pk)
        return Response(feedback_out(created), status=status.HTTP_201_CREATED)


class FeedbackItemApi(APIView):
    class InputSerializer(serializers.Serializer):
        body = TextField(required=False)
        isActionItem = serializers.BooleanField(required=False)
        status = serializers.ChoiceField(
            choices=[s for s in FeedbackItem.Status.values if s != FeedbackItem.Status.CARRIED], required=False
        )

    def get(self, request, pk: int):
        return Response(feedback_out(selectors.feedback_item_get(organisation=_organisation(request), pk=pk)))

    def patch(self, request, pk: int):
        item = selectors.feedback_item_get(organisation=_organisation(request), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        feedback_item_update(
            item=item,
            body=data.get("body"),
            is_action_item=data.get("isActionItem"),
            status=data.get("status"),
            actor=request.user,
        )
        return Response(feedback_out(selectors.feedback_item_get(organisation=_organisation(request), pk=pk)))

    put = patch

    def delete(self, request, pk: int):
        item = selectors.feedback_item_get(organisation=_organisation(request), pk=pk)
        feedback_item_delete(item=item, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
