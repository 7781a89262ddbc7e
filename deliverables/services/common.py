"""What the deliverables services share: the event payload every deliverable event carries."""

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
