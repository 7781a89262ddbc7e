"""Markdown for text that arrives from outside (brief descriptions): rendered, then sanitised.

The HTML that `markdown` produces passes through `nh3` with an allow-list, so a `<script>`, an event handler
attribute (`onerror=`) or a `javascript:` link in the source never reaches the page. Links open with
rel="noopener noreferrer".

Images load only from the hosts in TRACKER_MARKDOWN_IMAGE_HOSTS (none by default): a brief written by an outside
system could otherwise carry a tracking pixel that tells its sender who opened the brief, when and from where.
A Markdown image from anywhere else becomes a link to it (its alt text, or its address), which a person can
still choose to open; an `<img>` written as HTML loses its `src`. The Content-Security-Policy's `img-src`
(tracker/settings.py) allows the same hosts, so the browser enforces it too.

Rendering costs about a millisecond per kilobyte, on every view of the page, so only the first
MAX_RENDERED_CHARACTERS are rendered (a note says how much more there is); the text itself is kept whole.
"""

import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MAX_RENDERED_CHARACTERS = 100_000


def image_host_allowed(src: str) -> bool:
    """Whether an image at `src` may load: an http(s) URL on one of TRACKER_MARKDOWN_IMAGE_HOSTS."""
    try:
        parts = urlsplit(src.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    allowed = {h.lower() for h in settings.TRACKER_MARKDOWN_IMAGE_HOSTS}
    return parts.scheme in ("http", "https") and bool(host) and host in allowed


class _RemoteImagesAsLinks(Treeprocessor):
    def run(self, root):
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "img" or image_host_allowed(child.get("src", "")):
                    continue
                src, label = child.get("src", ""), child.get("alt") or child.get("src", "") or "image"
                link = etree.Element("a", {"href": src})
                link.text, link.tail = f"{label} (image not loaded)", child.tail
                parent.remove(child)
                parent.insert(index, link)


class RemoteImagesAsLinks(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's name
        md.treeprocessors.register(_RemoteImagesAsLinks(md), "remote_images_as_links", 0)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not image_host_allowed(value):
        return None
    return value


def render_markdown(text: str) -> str:
    shown = text[:MAX_RENDERED_CHARACTERS]
    html = markdown_lib.markdown(shown, extensions=["extra", "sane_lists", RemoteImagesAsLinks()], output_format="html")
    if len(text) > len(shown):
        html += f"<p><em>… {len(text) - len(shown):,} more characters are not shown here.</em></p>"
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
