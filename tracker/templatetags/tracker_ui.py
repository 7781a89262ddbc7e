"""Page furniture shared by every signed-in page: badges, stage progress, Markdown. The sidebar is built by
`tracker.navigation` (through the `tracker` context processor)."""

from django import template

register = template.Library()


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


@register.simple_tag
def project_progress(stages_done: int, stages_total: int, approved: int, deliverables: int):
    """A project's progress bar: stages done across its deliverables, from counts a selector annotated. The
    approved deliverables are in its accessible name and tooltip, as the "1/4 approved" text it replaces was."""
    from django.utils.html import format_html

    if not deliverables:
        return format_html('<span class="muted">{}</span>', "No deliverables")
    done, total = stages_done or 0, stages_total or 0
    percent = round(100 * done / total) if total else 0
    label = f"{done} of {total} stages done; {approved or 0} of {deliverables} deliverables approved"
    return format_html(
        '<span class="progress project-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        'aria-valuenow="{}" aria-valuetext="{}" title="{}" data-testid="project-progress">'
        '<span class="bar"><span style="width:{}%"></span></span>{}%</span>',
        percent,
        label,
        label,
        percent,
        percent,
    )


@register.filter
def pretty_json(value) -> str:
    import json

    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
