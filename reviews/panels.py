"""What reviews shows on the deliverable page, registered in `ReviewsConfig.ready()` (see `deliverables.panels`)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from projects.models import ApprovalType


def revisions_panel(request, deliverable, stage=None) -> str:
    """The deliverable's rounds with their action items, and the upload form (one query)."""
    html = render_to_string("reviews/_deliverable_revisions.html", {"deliverable": deliverable}, request=request)
    return format_html('<div id="revisions">{}</div>', html)


def review_panel_link(request, deliverable, stage=None) -> str:
    """A FORMAL stage is completed only through review sessions: its row links to the stage's review panel."""
    if stage is None or stage.approval_type != ApprovalType.FORMAL:
        return ""
    url = reverse("reviews:stage_panel", args=[deliverable.pk, stage.pk])
    return format_html('<a class="btn btn-small" href="{}" data-testid="review-panel-link">Review panel</a>', url)
