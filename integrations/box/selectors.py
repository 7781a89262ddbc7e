"""Reads for the Box pages: a deliverable's push state, and the recent activity on the settings page."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from deliverables.models import Deliverable
from projects.models import ApprovalType

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


def box_push_state(*, deliverable: Deliverable) -> BoxPushState | None:
    row = (
        BoxPushLog.objects.filter(deliverable=deliverable)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None:
        return None
    state = {BoxPushLog.Outcome.SENT: "sent", BoxPushLog.Outcome.FAILED: "failed"}.get(row.outcome, "queued")
    return BoxPushState(state=state, row=row, max_attempts=settings.BOX_PUSH_MAX_ATTEMPTS)


def box_approval_stage_id(*, deliverable: Deliverable) -> int | None:
    """The approval stage (the last FORMAL stage), cached on the instance so each stage row costs no query.

    Uses prefetched stages when the page prefetched them."""
    cached = getattr(deliverable, "_box_approval_stage_id", False)
    if cached is not False:
        return cached
    stages = [s for s in deliverable.stages.all() if s.approval_type == ApprovalType.FORMAL]
    stage_id = max(stages, key=lambda s: s.order).pk if stages else None
    deliverable._box_approval_stage_id = stage_id
    return stage_id


def box_push_list(*, outcome: str = "", trigger: str = "", search: str = "", limit: int = 50) -> QuerySet[BoxPushLog]:
    rows = BoxPushLog.objects.select_related("deliverable__project", "requested_by")
    if outcome:
        rows = rows.filter(outcome=outcome)
    if trigger:
        rows = rows.filter(trigger=trigger)
    if search:
        rows = rows.filter(folder_name__icontains=search) | rows.filter(deliverable__name__icontains=search)
    return rows.order_by("-created_at", "-id")[:limit]


def box_inbound_list(
    *, outcome: str = "", trigger: str = "", search: str = "", limit: int = 50
) -> QuerySet[BoxInboundLog]:
    rows = BoxInboundLog.objects.select_related("deliverable", "project", "revision")
    if outcome:
        rows = rows.filter(outcome=outcome)
    if trigger:
        rows = rows.filter(trigger=trigger)
    if search:
        rows = rows.filter(folder_name__icontains=search) | rows.filter(file_name__icontains=search)
    return rows.order_by("-created_at", "-id")[:limit]
