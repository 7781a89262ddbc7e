"""What Box shows on the deliverable page, registered in `BoxConfig.ready()` (see `deliverables.panels`).

Each renders the same inclusion template as the `box_tags` template tag of the same name.
"""

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from .templatetags import box_tags


def _tag_context(request) -> dict:
    return {"request": request, "csrf_token": get_token(request)}


def push_panel(request, deliverable, stage=None) -> str:
    """The push state (queued, sent or failed, with a retry button for those who may push): one query."""
    context = box_tags.box_push_panel(_tag_context(request), deliverable)
    return render_to_string("box/_push_panel.html", context, request=request)


def send_button(request, deliverable, stage=None) -> str:
    """The "Send to client (Box)" button on the approval stage's row, for those who may push. No query per row."""
    if stage is None:
        return ""
    context = box_tags.box_send_button(_tag_context(request), deliverable, stage)
    if not context["show"]:
        return ""
    return render_to_string("box/_send_button.html", context, request=request)
