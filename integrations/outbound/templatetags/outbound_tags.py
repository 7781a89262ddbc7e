"""Drawing for the webhook pages: an endpoint's recent attempts as bars, event descriptions, a body shown pretty."""

import json

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..forms import DESCRIPTIONS

register = template.Library()


@register.filter
def event_description(name: str) -> str:
    return DESCRIPTIONS.get(name, "")


@register.simple_tag
def attempt_bars(attempts):
    """The last attempts, oldest first, as a row of small bars: green a 2xx, red anything else; taller is slower
    (up to the timeout). Each bar says what it was on hover."""
    if not attempts:
        return mark_safe('<span class="muted small" data-testid="health-bars-empty">No attempts yet</span>')
    bars = format_html_join(
        "",
        '<span class="hbar {}" style="height:{}px" title="{}"></span>',
        (
            (
                "ok" if attempt.succeeded else "bad",
                4 + min(14, attempt.duration_ms // 700),
                f"{attempt.started_at:%d %b %H:%M:%S} · {attempt.status_code or attempt.error or 'no answer'}"
                f" · {attempt.duration_ms} ms",
            )
            for attempt in attempts
        ),
    )
    ok = sum(1 for attempt in attempts if attempt.succeeded)
    return format_html(
        '<span class="hbars" role="img" aria-label="{} of the last {} attempts succeeded" data-testid="health-bars">'
        "{}</span>",
        ok,
        len(attempts),
        bars,
    )


@register.filter
def pretty_body(body: str) -> str:
    """A JSON body indented for reading; anything else as it is."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return body
