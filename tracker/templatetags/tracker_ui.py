"""Page furniture shared by every signed-in page: sidebar counts, badges, stage progress."""

from django import template

from tracker.selectors import sidebar_counts_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar_counts(context):
    """Pending briefs and unread notifications for the sidebar, computed once per request (two COUNT queries)."""
    request = context.get("request")
    if request is None:
        return {}
    cached = getattr(request, "_tracker_sidebar_counts", None)
    if cached is None:
        cached = sidebar_counts_for_user(request.user)
        request._tracker_sidebar_counts = cached
    return cached


@register.inclusion_tag("includes/badge.html")
def badge(value, label=None):
    """A status or priority pill; the CSS colours it by its value (e.g. badge-URGENT, badge-IN_PROGRESS)."""
    return {"value": value, "label": label or str(value).replace("_", " ").capitalize()}


@register.filter
def markdown_safe(text: str):
    """Markdown rendered to HTML, then sanitised against an allow-list (see `tracker.markdown`)."""
    from django.utils.safestring import mark_safe

    from tracker.markdown import render_markdown

    return mark_safe(render_markdown(text or ""))  # noqa: S308 - nh3 has sanitised it against an allow-list


@register.simple_tag
def stage_progress(done: int, total: int, current_name: str | None):
    """`4/11 · Design` from counts a selector annotated; never a query per row."""
    from django.utils.html import format_html

    if not total:
        return format_html('<span class="muted">No stages</span>')
    percent = round(100 * (done or 0) / total)
    label = current_name or "Complete"
    return format_html(
        '<span class="progress" title="{} of {} stages done"><span class="bar"><span style="width:{}%"></span></span>'
        "{}/{} · {}</span>",
        done or 0,
        total,
        percent,
        done or 0,
        total,
        label,
    )


@register.filter
def pretty_json(value) -> str:
    import json

    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


# The admin settings pages, in sidebar order.
SETTINGS_PAGES = (
    ("Pipelines", "projects:pipelines"),
    ("API keys", "api_keys"),
    ("Box", "box:settings"),
)


@register.simple_tag
def settings_links() -> list[tuple[str, str]]:
    from django.urls import reverse

    return [(label, reverse(name)) for label, name in SETTINGS_PAGES]
