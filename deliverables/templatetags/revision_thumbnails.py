"""`{% thumbnail revision alt="..." %}`: a revision's picture, or its file kind's icon until (or unless) the
worker has made one. A list that annotated the latest revision instead of loading it passes the parts:
`{% thumbnail pk=... status=... content_type=... %}`."""

from django import template

from ..models import Revision

register = template.Library()


def file_kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("video/"):
        return "video"
    return "pdf" if content_type == "application/pdf" else "file"


@register.inclusion_tag("deliverables/_thumbnail.html")
def thumbnail(revision=None, alt: str = "", size: str = "s", pk=None, status: str = "", content_type: str = ""):
    """`size` is "s" (a table row), "m" (a running order) or "l" (a picture to look at). The text for screen
    readers is `alt`, else "Round N"."""
    if revision is not None:
        pk, status, content_type = revision.pk, revision.thumbnail_status, revision.content_type
        alt = alt or f"Round {revision.round}"
    return {
        "pk": pk,
        "ready": pk is not None and status == Revision.ThumbnailStatus.READY,
        "kind": file_kind(content_type or ""),
        "alt": alt,
        "size": size,
    }
