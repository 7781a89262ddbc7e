"""Review furniture for pages other apps own (the deliverable page's revisions panel) and small formatters."""

from django import template

from reviews.selectors import revisions_for_deliverable
from tracker.services import organisation_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def deliverable_revisions(context, deliverable):
    """The deliverable's rounds, newest first, with open/total action item counts, for the signed-in user's
    organisation (the page's `request.user`)."""
    organisation = organisation_for_user(context["request"].user)
    return list(revisions_for_deliverable(organisation=organisation, deliverable=deliverable))


@register.filter
def percent(value) -> str:
    """A 0..1 fraction as a CSS percentage number, always with a dot (locale-independent)."""
    try:
        return f"{float(value) * 100:.3f}"
    except (TypeError, ValueError):
        return "0"


@register.filter
def is_image(revision) -> bool:
    return bool(revision) and (revision.content_type or "").startswith("image/")


@register.filter
def is_video(revision) -> bool:
    return bool(revision) and (revision.content_type or "").startswith("video/")


@register.filter
def has_picture(revision) -> bool:
    """Whether the compare page can draw the round as a picture: an image file, or a thumbnail (a PDF's first
    page, a video's poster frame)."""
    return is_image(revision) or (bool(revision) and revision.thumbnail_status == "READY")


@register.simple_tag
def ratio(done, total) -> str:
    """Width of a progress bar, in percent."""
    return f"{(done / total * 100) if total else 0:.1f}"
