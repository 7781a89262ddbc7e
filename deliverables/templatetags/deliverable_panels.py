"""`{% deliverable_panels "main" deliverable %}`: the panels other apps registered for a slot of the deliverable
page (see `deliverables.panels`)."""

from django import template

from ..panels import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def deliverable_panels(context, slot: str, deliverable, stage=None):
    return render_panels(slot, context["request"], deliverable, stage)
