"""Box controls on the deliverable page: the push state panel and the "Send to client (Box)" button."""

from django import template

from deliverables.models import Deliverable
from projects.models import ApprovalType
from tracker.permissions import Permission, has_permission
from tracker.services import organisation_for_user

from ..selectors import box_push_state, latest_revision_round

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def _approval_stage_id(deliverable: Deliverable) -> int | None:
    """The approval stage (the last FORMAL stage), cached on the instance so each stage row costs no query.

    Uses prefetched stages when the page prefetched them."""
    cached = getattr(deliverable, "_box_approval_stage_id", False)
    if cached is not False:
        return cached
    stages = [s for s in deliverable.stages.all() if s.approval_type == ApprovalType.FORMAL]
    stage_id = max(stages, key=lambda s: s.order).pk if stages else None
    deliverable._box_approval_stage_id = stage_id
    return stage_id


@register.inclusion_tag("box/_push_panel.html", takes_context=True)
def box_push_panel(context, deliverable):
    """Push state: queued (with the attempt), sent (a link to the Box folder) or failed (the reason, and a
    retry button for users who may push)."""
    user = _user(context)
    return {
        "deliverable": deliverable,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "push": box_push_state(organisation=organisation_for_user(user), deliverable=deliverable),
        "can_push": has_permission(user, Permission.BOX_PUSH),
    }


@register.inclusion_tag("box/_send_button.html", takes_context=True)
def box_send_button(context, deliverable, stage):
    """Rendered on the approval stage row (the last FORMAL stage) only, for users who may push, and only when there
    is a revision to send: an approved deliverable's send asks for a confirmation; before approval only an admin
    sees it, as an override they must confirm."""
    user = _user(context)
    show = has_permission(user, Permission.BOX_PUSH) and stage.pk == _approval_stage_id(deliverable)
    approved = deliverable.status == Deliverable.Status.APPROVED
    override = show and not approved and has_permission(user, Permission.ADMIN_SETTINGS)
    latest = latest_revision_round(deliverable) if show and (approved or override) else None
    return {
        "deliverable": deliverable,
        "stage": stage,
        "show": latest is not None,
        "override": not approved,
        "round": latest,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
