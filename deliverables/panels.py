"""Panels other apps put on the deliverable page.

The deliverable page belongs to `deliverables`, which never imports the apps above it. An app that shows
something there registers a render function from its `AppConfig.ready()`:

- "main": under the stages (reviews: the revisions panel);
- "side": under the details (Box: the push state);
- "stage_actions": in each stage row's actions (reviews: the FORMAL stage's "Review panel" link; Box: "Send to
  client (Box)" on the approval stage). Called once per stage row, with `stage`.

`render(request, deliverable, stage=None) -> str` returns HTML it rendered itself (a template or `format_html`),
or "" to show nothing. A render must keep the page's query count independent of its rows: the page prefetches
the deliverable's stages, so a per-stage render reads those instead of querying.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .models import Deliverable, Stage

SLOTS = ("main", "side", "stage_actions")

PanelRender = Callable[..., str]

_panels: dict[str, list[PanelRender]] = {slot: [] for slot in SLOTS}


def register_panel(slot: str, render: PanelRender) -> None:
    """Add `render` to `slot`, after the ones already there. Registering the same function again changes nothing."""
    if slot not in _panels:
        raise ValueError(f"unknown deliverable page slot {slot!r}: one of {', '.join(SLOTS)}")
    if render not in _panels[slot]:
        _panels[slot].append(render)


def render_panels(slot: str, request: HttpRequest, deliverable: Deliverable, stage: Stage | None = None) -> SafeString:
    """The slot's panels in registration order. A plain `str` (not marked safe) is escaped, never trusted."""
    return format_html_join("", "{}", ((render(request, deliverable, stage),) for render in _panels[slot]))
