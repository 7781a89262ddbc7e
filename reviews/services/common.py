"""What the review services share: the organisation check, the latest round, the stage under review and the
one way a review change notifies someone."""

from django.urls import reverse

from deliverables.models import Deliverable, Revision, Stage
from projects.models import ApprovalType
from tracker.errors import NotFoundError
from tracker.models import User
from tracker.services import notification_create, organisation_for_user


def require_same_organisation(actor, deliverable: Deliverable) -> None:
    """A user only ever touches their own organisation's work; another's looks like it does not exist."""
    if deliverable.project.organisation_id != organisation_for_user(actor).pk:
        raise NotFoundError("deliverable not found")


def latest_revision(deliverable: Deliverable) -> Revision | None:
    return Revision.objects.filter(deliverable=deliverable).order_by("-round").first()


def review_url(deliverable: Deliverable) -> str:
    return reverse("reviews:annotate", args=[deliverable.pk])


def notify(recipient: User | None, *, actor, kind: str, title: str, body: str = "", url: str = "") -> None:
    """Tell someone about a change, but never the person who made it."""
    if recipient is None or (actor is not None and recipient.pk == actor.pk) or not recipient.is_active:
        return
    notification_create(recipient=recipient, kind=kind, title=title, body=body, url=url)


def stage_under_review(deliverable: Deliverable) -> Stage | None:
    """The stage feedback is about: the current stage if it has a gate, otherwise the next gated stage (so
    notes made during Amends land on the review that follows), otherwise the current stage."""
    stages = list(deliverable.stages.order_by("order"))
    current = next((s for s in stages if s.status != Stage.Status.DONE), None)
    if current is None:
        return stages[-1] if stages else None
    if current.approval_type != ApprovalType.NONE:
        return current
    following = next((s for s in stages if s.order > current.order and s.approval_type != ApprovalType.NONE), None)
    return following or current
