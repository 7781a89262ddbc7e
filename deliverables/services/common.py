"""What the deliverables services share: the event payload every deliverable event carries, and telling a new
assignee."""

from django.urls import reverse

from tracker.models import Notification
from tracker.services import notification_create

from ..models import Deliverable


def event_payload(deliverable: Deliverable, **extra) -> dict:
    # The organisation when the project is at hand, so a subscriber need not read it to scope the event.
    scope = {}
    if Deliverable._meta.get_field("project").is_cached(deliverable):
        scope["organisationId"] = str(deliverable.project.organisation_id)
    return {
        "deliverableId": str(deliverable.pk),
        "projectId": str(deliverable.project_id),
        **scope,
        "name": deliverable.name,
        "slug": deliverable.slug,
        "status": deliverable.status,
        **extra,
    }


def notify_new_assignee(deliverable: Deliverable, *, previous_assignee_id: int | None, actor) -> None:
    """Tell the person a deliverable was just assigned to (by someone else, or by an upstream system when `actor` is
    None). Unassigning, keeping the same assignee or taking the work yourself tells no one."""
    assignee = deliverable.assignee
    if assignee is None or assignee.pk == previous_assignee_id or not assignee.is_active:
        return
    if actor is not None and assignee.pk == actor.pk:
        return
    by = f" by {actor}" if actor is not None else ""
    notification_create(
        recipient=assignee,
        kind=Notification.Kind.ASSIGNED,
        title=f"Assigned to you: {deliverable.name}",
        body=f"{deliverable.project.name}: assigned to you{by}.",
        url=reverse("deliverables:detail", args=[deliverable.pk]),
    )
