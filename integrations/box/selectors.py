"""Reads for the Box pages: a deliverable's push state, and the recent activity on the settings page.

Every selector takes the `organisation` whose rows it may return, and another organisation's row is
NotFoundError, never a page. A push belongs to its deliverable's organisation. An inbound event belongs to the
project its folder matched; one that matched no project (refused, ignored, waiting, or naming no project) belongs
to the organisation webhook intake goes to (TRACKER_DEFAULT_ORGANISATION), as every unattributed webhook does.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery

from deliverables.models import Deliverable, Revision
from tracker.errors import NotFoundError
from tracker.models import Organisation

from .models import BoxInboundLog, BoxPushLog


@dataclass(frozen=True)
class BoxPushState:
    """What the deliverable page shows: "queued" (also while an attempt runs or waits to retry), "sent" or
    "failed", from the deliverable's latest push row."""

    state: str
    row: BoxPushLog
    max_attempts: int

    @property
    def in_flight(self) -> bool:
        return self.state == "queued"


def _pushes(organisation: Organisation) -> QuerySet[BoxPushLog]:
    return BoxPushLog.objects.filter(deliverable__project__organisation=organisation)


def _inbound(organisation: Organisation) -> QuerySet[BoxInboundLog]:
    ours = Q(project__organisation=organisation)
    if organisation.slug == settings.TRACKER_DEFAULT_ORGANISATION:
        ours |= Q(project__isnull=True)
    return BoxInboundLog.objects.filter(ours)


def box_deliverable(*, organisation: Organisation, pk: int) -> Deliverable:
    """The deliverable behind the Box panel and button, with its project."""
    deliverable = (
        Deliverable.objects.select_related("project").filter(project__organisation=organisation, pk=pk).first()
    )
    if deliverable is None:
        raise NotFoundError("deliverable not found")
    return deliverable


def box_push_get(*, organisation: Organisation, pk: int) -> BoxPushLog:
    row = _pushes(organisation).select_related("deliverable__project").filter(pk=pk).first()
    if row is None:
        raise NotFoundError("Box push not found")
    return row


def box_inbound_get(*, organisation: Organisation, pk: int) -> BoxInboundLog:
    log = _inbound(organisation).filter(pk=pk).first()
    if log is None:
        raise NotFoundError("Box inbound event not found")
    return log


def box_push_state(*, organisation: Organisation, deliverable: Deliverable) -> BoxPushState | None:
    row = (
        _pushes(organisation)
        .filter(deliverable=deliverable)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None:
        return None
    state = {BoxPushLog.Outcome.SENT: "sent", BoxPushLog.Outcome.FAILED: "failed"}.get(row.outcome, "queued")
    return BoxPushState(state=state, row=row, max_attempts=settings.BOX_PUSH_MAX_ATTEMPTS)


def box_push_list(
    *, organisation: Organisation, outcome: str = "", trigger: str = "", search: str = "", limit: int = 50
) -> QuerySet[BoxPushLog]:
    rows = _pushes(organisation).select_related("deliverable__project", "requested_by")
    if outcome:
        rows = rows.filter(outcome=outcome)
    if trigger:
        rows = rows.filter(trigger=trigger)
    if search:
        rows = rows.filter(Q(folder_name__icontains=search) | Q(deliverable__name__icontains=search))
    return rows.order_by("-created_at", "-id")[:limit]


def box_inbound_list(
    *, organisation: Organisation, outcome: str = "", trigger: str = "", search: str = "", limit: int = 50
) -> QuerySet[BoxInboundLog]:
    rows = _inbound(organisation).select_related("deliverable", "project", "revision")
    if outcome:
        rows = rows.filter(outcome=outcome)
    if trigger:
        rows = rows.filter(trigger=trigger)
    if search:
        rows = rows.filter(Q(folder_name__icontains=search) | Q(file_name__icontains=search))
    return rows.order_by("-created_at", "-id")[:limit]


def box_failed_deliverables(*, organisation: Organisation) -> QuerySet[Deliverable]:
    """Deliverables whose latest push failed for good (no later push queued or sent), with that row's `failed_push_id`,
    `failed_error` and `failed_at` annotated: one query, for the home page's count and the list it opens."""
    latest = _pushes(organisation).filter(deliverable=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Deliverable.objects.filter(project__organisation=organisation)
        .annotate(
            last_push_outcome=Subquery(latest.values("outcome")[:1]),
            failed_push_id=Subquery(latest.values("pk")[:1]),
            failed_error=Subquery(latest.values("error")[:1]),
            failed_at=Subquery(latest.values("updated_at")[:1]),
        )
        .filter(last_push_outcome=BoxPushLog.Outcome.FAILED)
        .select_related("project")
        .order_by("-failed_at", "-pk")
    )


def box_inbound_failed_count(*, organisation: Organisation, since: datetime) -> int:
    return _inbound(organisation).filter(outcome=BoxInboundLog.Outcome.FAILED, created_at__gte=since).count()


def latest_revision_round(deliverable: Deliverable) -> int | None:
    """The round a send would push (the deliverable's latest revision), or None without a revision."""
    return Revision.objects.filter(deliverable=deliverable).order_by("-round").values_list("round", flat=True).first()
