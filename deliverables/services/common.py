"""What the deliverables services share: the event payload every deliverable event carries."""

from ..models import Deliverable


def event_payload(deliverable: Deliverable, **extra) -> dict:
    return {
        "deliverableId": str(deliverable.pk),
        "projectId": str(deliverable.project_id),
        "name": deliverable.name,
        "slug": deliverable.slug,
        "status": deliverable.status,
        **extra,
    }
