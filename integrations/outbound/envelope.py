"""From a domain event to the body other systems receive (seed 004's envelope):

    {"event": "deliverable.approved", "occurredAt": "2026-05-06T10:00:00.000Z", "organisationId": "1",
     "organisationName": "Acme Studio", "data": {...}}

The domain's payloads stay small (ids and what changed); `data` is filled here from the rows, read inside the
emitting transaction, so it shows the state the event reports: ids as strings, names, statuses, the OMG job
number and absolute URLs of our pages (TRACKER_PUBLIC_URL + the page's path), enough to act without calling back.

`subject_for(name, payload)` finds what the event is about with one query (select_related), which also gives the
organisation when the payload does not carry it, and the key deliveries are ordered by ("deliverable:42": every
event of one deliverable reaches an endpoint in the order it happened). Building `data` may read a little more
(an actor's name, a session's decisions), and only when an endpoint wants the event.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from briefs.models import Brief
from deliverables.models import Deliverable, Revision
from projects.models import Project
from reviews.models import FeedbackItem, ReviewSession
from tracker.links import absolute_url
from tracker.models import Organisation, User

Data = Callable[[], dict]


@dataclass
class Subject:
    """What an event is about: its organisation, its ordering key, and how to build its `data`."""

    organisation: Organisation | None
    organisation_id: int | None
    ordering_key: str
    data: Data

    def organisation_row(self) -> Organisation | None:
        if self.organisation is None and self.organisation_id is not None:
            self.organisation = Organisation.objects.filter(pk=self.organisation_id).first()
        return self.organisation


def page_url(url_name: str, *args) -> str:
    return absolute_url(reverse(url_name, args=args))


def iso(value) -> str | None:
    """Dates as ISO 8601; datetimes in UTC with milliseconds and a Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value.isoformat()


def _id(value) -> str | None:
    return str(value) if value not in (None, "") else None


def _user(user: User | None) -> dict | None:
    return {"id": str(user.pk), "name": str(user)} if user is not None else None


def _actor(payload: dict) -> dict | None:
    actor_id = payload.get("actorId")
    return _user(User.objects.filter(pk=actor_id).first()) if actor_id else None


def project_data(project: Project) -> dict:
    return {
        "id": str(project.pk),
        "projectCode": project.project_code,
        "name": project.name,
        "status": project.status,
        "priority": project.priority,
        "omgJobNumber": project.omg_job_number,
        "client": project.client or None,
        "clientTeam": project.client_team.name if project.client_team_id else None,
        "dueDate": iso(project.due_date),
        "owner": _user(project.owner) if project.owner_id else None,
        "url": page_url("projects:detail", project.pk),
    }


def deliverable_data(deliverable: Deliverable, status: str | None = None) -> dict:
    return {
        "id": str(deliverable.pk),
        "name": deliverable.name,
        "slug": deliverable.slug,
        "status": status or deliverable.status,
        "priority": deliverable.priority,
        "dueDate": iso(deliverable.due_date),
        "currentStage": deliverable.current_stage.name if deliverable.current_stage_id else None,
        "assignee": _user(deliverable.assignee) if deliverable.assignee_id else None,
        "url": page_url("deliverables:detail", deliverable.pk),
    }


def brief_data(brief: Brief) -> dict:
    return {
        "id": str(brief.pk),
        "externalId": brief.external_id,
        "title": brief.title,
        "status": brief.status,
        "priority": brief.priority,
        "requestorName": brief.requestor_name or None,
        "requestorEmail": brief.requestor_email or None,
        "requestedDueDate": iso(brief.requested_due_date),
        "clientTeam": brief.client_team.name if brief.client_team_id else None,
        "source": brief.source,
        "url": page_url("briefs:detail", brief.pk),
    }


_PROJECT_RELATED = ("organisation", "client_team", "owner")
_DELIVERABLE_RELATED = tuple(f"project__{name}" for name in _PROJECT_RELATED) + ("assignee", "current_stage")


def _brief(name: str, payload: dict) -> Subject | None:
    related = ("organisation", "client_team", "decided_by") + tuple(f"converted_project__{n}" for n in _PROJECT_RELATED)
    brief = Brief.objects.select_related(*related).filter(pk=payload.get("briefId")).first()
    if brief is None:
        return None

    def data() -> dict:
        body = {"brief": brief_data(brief)}
        if name == "brief.accepted":
            body["project"] = project_data(brief.converted_project) if brief.converted_project_id else None
        if name == "brief.rejected":
            body["reason"] = brief.rejection_reason
        if name in ("brief.accepted", "brief.rejected", "brief.reopened"):
            body["decidedBy"] = _user(brief.decided_by)
        return body

    return Subject(brief.organisation, brief.organisation_id, f"brief:{brief.pk}", data)


def _project(name: str, payload: dict) -> Subject | None:
    project = Project.objects.select_related(*_PROJECT_RELATED).filter(pk=payload.get("projectId")).first()
    if project is None:
        return None
    return Subject(
        project.organisation,
        project.organisation_id,
        f"project:{project.pk}",
        lambda: {"project": project_data(project)},
    )


_DELIVERABLE_EXTRAS = {
    "deliverable.status_changed": ("previousStatus",),
    "deliverable.approved": ("previousStatus",),
    "deliverable.stage_completed": ("stage", "approvalType", "nextStage"),
    "deliverable.changes_requested": ("stage", "amendsStage"),
}


def _deliverable(name: str, payload: dict) -> Subject | None:
    deliverable = (
        Deliverable.objects.select_related(*_DELIVERABLE_RELATED).filter(pk=payload.get("deliverableId")).first()
    )
    if deliverable is None:
        return None
    project = deliverable.project

    def data() -> dict:
        body = {"deliverable": deliverable_data(deliverable, payload.get("status")), "project": project_data(project)}
        for key in _DELIVERABLE_EXTRAS.get(name, ()):
            body[key] = payload.get(key)
        if "actorId" in payload:
            body["actor"] = _actor(payload)
        return body

    return Subject(project.organisation, project.organisation_id, f"deliverable:{deliverable.pk}", data)


def _revision(name: str, payload: dict) -> Subject | None:
    related = tuple(f"deliverable__{n}" for n in _DELIVERABLE_RELATED) + ("created_by",)
    revision = Revision.objects.select_related(*related).filter(pk=payload.get("revisionId")).first()
    if revision is None:
        return None
    deliverable = revision.deliverable

    def data() -> dict:
        return {
            "revision": {
                "id": str(revision.pk),
                "round": revision.round,
                "source": revision.source,
                "fileName": revision.original_name or None,
                "contentType": revision.content_type or None,
                "size": revision.size,
                "createdBy": _user(revision.created_by),
                "url": page_url("reviews:annotate", deliverable.pk),
            },
            "deliverable": deliverable_data(deliverable),
            "project": project_data(deliverable.project),
        }

    project = deliverable.project
    return Subject(project.organisation, project.organisation_id, f"deliverable:{deliverable.pk}", data)


def _review_session(name: str, payload: dict) -> Subject | None:
    session = ReviewSession.objects.select_related("organisation", "presenter").filter(pk=payload.get("sessionId"))
    session = session.first()
    if session is None:
        return None

    def data() -> dict:
        body = {
            "reviewSession": {
                "id": str(session.pk),
                "title": session.title,
                "status": session.status,
                "presenter": _user(session.presenter),
                "startedAt": iso(session.started_at),
                "completedAt": iso(session.completed_at),
                "url": page_url("reviews:detail", session.pk),
            }
        }
        items = session.items.select_related("deliverable__project", "stage", "revision").order_by("position", "id")
        if name == "review_session.completed":
            body["decisions"] = [
                {
                    "deliverable": {
                        "id": str(item.deliverable_id),
                        "name": item.deliverable.name,
                        "url": page_url("deliverables:detail", item.deliverable_id),
                    },
                    "project": {
                        "id": str(item.deliverable.project_id),
                        "name": item.deliverable.project.name,
                        "omgJobNumber": item.deliverable.project.omg_job_number,
                    },
                    "stage": item.stage.name,
                    "round": item.revision.round,
                    "decision": item.decision,
                    "notes": item.notes,
                }
                for item in items
            ]
        else:
            body["items"] = payload["items"] if "items" in payload else items.count()
        return body

    return Subject(session.organisation, session.organisation_id, f"review_session:{session.pk}", data)


def _feedback(name: str, payload: dict) -> Subject | None:
    related = tuple(f"stage__deliverable__{n}" for n in _DELIVERABLE_RELATED) + ("revision", "author", "resolved_by")
    item = FeedbackItem.objects.select_related(*related).filter(pk=payload.get("feedbackId")).first()
    if item is None:
        return None
    deliverable = item.stage.deliverable

    def data() -> dict:
        return {
            "feedback": {
                "id": str(item.pk),
                "body": item.body,
                "isActionItem": item.is_action_item,
                "status": item.status,
                "stage": item.stage.name,
                "round": item.revision.round if item.revision_id else None,
                "author": _user(item.author),
                "resolvedBy": _user(item.resolved_by),
                "url": page_url("reviews:annotate", deliverable.pk),
            },
            "deliverable": deliverable_data(deliverable),
            "project": project_data(deliverable.project),
        }

    project = deliverable.project
    return Subject(project.organisation, project.organisation_id, f"deliverable:{deliverable.pk}", data)


def _box(name: str, payload: dict) -> Subject | None:
    deliverable = (
        Deliverable.objects.select_related(*_DELIVERABLE_RELATED).filter(pk=payload.get("deliverableId")).first()
    )
    if deliverable is None:
        return None

    def data() -> dict:
        return {
            "push": {
                "id": _id(payload.get("pushId")),
                "attempts": payload.get("attempts"),
                "round": payload.get("round"),
                "folderName": payload.get("folderName") or None,
                "error": payload.get("error", ""),
            },
            "deliverable": deliverable_data(deliverable),
            "project": project_data(deliverable.project),
        }

    project = deliverable.project
    return Subject(project.organisation, project.organisation_id, f"deliverable:{deliverable.pk}", data)


def _test(name: str, payload: dict) -> Subject | None:
    def data() -> dict:
        return {
            "message": f"A test event from {settings.TRACKER_BRAND_NAME}. Answer 2xx to show it arrived.",
            "endpointId": _id(payload.get("endpointId")),
            "sentBy": _actor(payload),
        }

    return Subject(None, payload.get("organisationId"), "", data)


_LOADERS: dict[str, Callable[[str, dict], Subject | None]] = {
    "brief": _brief,
    "project": _project,
    "deliverable": _deliverable,
    "revision": _revision,
    "review_session": _review_session,
    "feedback": _feedback,
    "box": _box,
    "webhook": _test,
}


def subject_for(name: str, payload: dict) -> Subject | None:
    """What event `name` is about, or None when it is not in the catalogue or its row no longer exists."""
    loader = _LOADERS.get(name.split(".", 1)[0])
    return loader(name, payload) if loader is not None else None


def envelope_body(*, name: str, occurred_at: datetime, organisation: Organisation, data: dict) -> str:
    """The exact text that is signed and sent: compact JSON, keys in the envelope's order."""
    envelope = {
        "event": name,
        "occurredAt": iso(occurred_at),
        "organisationId": str(organisation.pk),
        "organisationName": organisation.name,
        "data": data,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=str)
