"""Panels other apps put on the project page.

The project page belongs to `projects`, which never imports the apps above it. An app that shows something
there (deliverables: the project's deliverables and the "Add deliverable" form) registers a render function
under a name from its `AppConfig.ready()`.

`render(request, project, **state) -> str` returns HTML it rendered itself (a template or `format_html`).
`state` is what a view that shows the page again hands that panel by its name (a failed "Add deliverable"
POST passes its bound form, `{"deliverables": {"form": form}}`); a plain visit passes none.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .models import Project

PanelRender = Callable[..., str]

_panels: dict[str, PanelRender] = {}


def register_panel(name: str, render: PanelRender) -> None:
    """Add the panel `name` after those already there; registering a name again replaces its render."""
    _panels[name] = render


def render_panels(request: HttpRequest, project: Project, state: dict[str, dict] | None = None) -> SafeString:
    """The panels in registration order. A plain `str` (not marked safe) is escaped, never trusted."""
    state = state or {}
    return format_html_join(
        "", "{}", ((render(request, project, **state.get(name, {})),) for name, render in _panels.items())
    )
