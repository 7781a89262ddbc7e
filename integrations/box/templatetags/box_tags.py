"""Box controls on the deliverable page: the push state panel and the "Send to client (Box)" button."""

from django import template

register = template.Library()


@register.inclusion_tag("box/_push_panel.html", takes_context=True)
def box_push_panel(context, deliverable):
    return {"deliverable": deliverable, "request": context.get("request")}


@register.inclusion_tag("box/_send_button.html", takes_context=True)
def box_send_button(context, deliverable, stage):
    return {"deliverable": deliverable, "stage": stage, "request": context.get("request")}
