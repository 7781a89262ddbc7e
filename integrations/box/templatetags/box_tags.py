"""Box controls on the deliverable page: the push state panel and the "Send to client (Box)" button."""

from django import template

from tracker.permissions import Permission, has_permission

from ..selectors import box_approval_stage_id, box_push_state

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("box/_push_panel.html", takes_context=True)
def box_push_panel(context, deliverable):
    """Push state: queued (with the attempt), sent (a link to the Box folder) or failed (the reason, and a
    retry button for users who may push)."""
    return {
        "deliverable": deliverable,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "push": box_push_state(deliverable=deliverable),
        "can_push": has_permission(_user(context), Permission.BOX_PUSH),
    }


@register.inclusion_tag("box/_send_button.html", takes_context=True)
def box_send_button(context, deliverable, stage):
    """Rendered on the approval stage row (the last FORMAL stage) only, for users who may push."""
    show = has_permission(_user(context), Permission.BOX_PUSH) and stage.pk == box_approval_stage_id(
        deliverable=deliverable
    )
    return {
        "deliverable": deliverable,
        "stage": stage,
        "show": show,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
