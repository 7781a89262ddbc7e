"""The briefs inbox and triage pages. Thin: parse, read through selectors, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from projects.selectors import pipeline_template_default
from tracker.errors import ApplicationError
from tracker.export import dated_name, xlsx_response
from tracker.paging import Paginator
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, refusal_text, show_refusal

from . import selectors, services
from .forms import AssignForm, BriefCreateForm, InboxFilterForm, PromoteForm, RejectForm
from .models import Brief

PAGE_SIZE = 25


def _brief(request, pk: int) -> Brief:
    return selectors.brief_detail(organisation=organisation_for_user(request.user), pk=pk)


def _inbox_filters(request, params: dict) -> dict:
    """The selector's filters from the inbox's query string ("assigned to me" is the signed-in person)."""
    filters = {name: params[name] for name in ("client_team_id", "priority", "source", "search")}
    filters["assignee_id"] = request.user.pk if params["assigned_to_me"] else None
    return filters


@login_required
def inbox(request):
    organisation = organisation_for_user(request.user)
    form = InboxFilterForm(
        request.GET, organisation=organisation, sources=selectors.brief_sources(organisation=organisation)
    )
    params = form.cleaned()
    filters = _inbox_filters(request, params)
    briefs = selectors.brief_inbox(organisation=organisation, status=params["status"], sort=params["sort"], **filters)
    page = Paginator(briefs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("status", None)
    counts = selectors.brief_status_counts(organisation=organisation, **filters)
    context = {
        "form": form,
        "page": page,
        "status": params["status"],
        "tabs": [(value, label, counts[value]) for value, label in Brief.Status.choices],
        "query_string": query.urlencode(),
        "tab_query": tab_query.urlencode(),
        "can_triage": has_permission(request.user, Permission.BRIEF_TRIAGE),
        "filtered": any(filters.values()),
        "today": timezone.localdate().isoformat(),  # compared with each due date as "Y-m-d"
    }
    # Always the whole page: the filter form picks its results out with hx-select, and the URL it pushes into
    # history must show the full inbox when the browser comes back to it (Back, reload, a shared link).
    response = render(request, "briefs/inbox.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def inbox_export(request):
    """ "Download XLSX": exactly the briefs the inbox's tab and filters show, every page of them."""
    organisation = organisation_for_user(request.user)
    form = InboxFilterForm(
        request.GET, organisation=organisation, sources=selectors.brief_sources(organisation=organisation)
    )
    params = form.cleaned()
    filters = _inbox_filters(request, params)
    briefs = selectors.brief_inbox(organisation=organisation, status=params["status"], sort=params["sort"], **filters)
    headers = ("Title", "External ID", "Status", "Team", "Priority", "Requestor", "Requestor email", "Source",
               "Requested due", "Received", "Project", "Rejection reason")  # fmt: skip
    rows = (
        (b.title, b.external_id, b.get_status_display(), b.client_team.name if b.client_team else "",
         b.get_priority_display(), b.requestor_name, b.requestor_email, b.source, b.requested_due_date, b.created_at,
         b.converted_project.project_code if b.converted_project else "", b.rejection_reason)
        for b in briefs.iterator(chunk_size=500)
    )  # fmt: skip
    return xlsx_response(file_name=dated_name("briefs"), headers=headers, rows=rows, sheet_title="Briefs")


@login_required
def brief_new(request):
    """ "New brief": GET shows the form, POST adds the brief through the intake service (source "ui")."""
    organisation = organisation_for_user(request.user)
    status = 200
    if request.method == "POST":
        form = BriefCreateForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                brief = services.brief_create(organisation=organisation, actor=request.user, **form.brief_fields())
            except ApplicationError as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, "Brief added to the inbox.")
                return redirect_after_post(request, reverse("briefs:detail", args=[brief.pk]))
        status = 400
    else:
        form = BriefCreateForm(organisation=organisation)
    # The form (empty, or back with its errors) is only for those who may triage.
    require_permission(request.user, Permission.BRIEF_TRIAGE)
    return render(request, "briefs/new.html", {"form": form}, status=status)


def _detail_context(request, brief: Brief, **extra) -> dict:
    return {
        "brief": brief,
        "can_triage": has_permission(request.user, Permission.BRIEF_TRIAGE),
        "reject_form": RejectForm(),
        "assign_form": AssignForm(initial={"assignee": brief.assignee_id}, organisation=brief.organisation),
        **extra,
    }


@login_required
def detail(request, pk: int):
    brief = _brief(request, pk)
    return render(request, "briefs/detail.html", _detail_context(request, brief))


@login_required
def promote(request, pk: int):
    """GET shows the project form prefilled from the brief; POST creates the project and accepts the brief."""
    brief = _brief(request, pk)
    organisation = brief.organisation
    if request.method == "POST":
        form = PromoteForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                project = services.brief_promote(brief=brief, actor=request.user, **form.project_fields())
            except ApplicationError as error:
                _attach_error(form, error)
            else:
                messages.success(request, f"Brief promoted: project {project.project_code} created.")
                return redirect_after_post(request, reverse("projects:detail", args=[project.pk]))
        status = 409 if form.non_field_errors() else 400
    else:
        initial = PromoteForm.initial_from(brief, pipeline_template_default(organisation=organisation))
        form = PromoteForm(initial=initial, organisation=organisation)
        status = 200
    # The promote form (empty, or back with its errors) is only for those who may triage.
    require_permission(request.user, Permission.BRIEF_TRIAGE)
    brief.refresh_from_db(fields=["status", "converted_project"])
    return render(request, "briefs/promote.html", {"brief": brief, "form": form}, status=status)


def _attach_error(form, error: ApplicationError) -> None:
    """Show a service refusal next to the field it concerns, or above the form."""
    field = "omg_job_number" if "omg job number" in error.message.lower() else None
    form.add_error(field, refusal_text(error))


@login_required
@require_POST
def reject(request, pk: int):
    brief = _brief(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            brief = services.brief_reject(brief=brief, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, "Brief rejected.")
            return redirect_after_post(request, reverse("briefs:detail", args=[brief.pk]))
    # The reject form comes back with its errors only to those who may triage.
    require_permission(request.user, Permission.BRIEF_TRIAGE)
    brief = _brief(request, pk)
    template = "briefs/_triage.html" if request.htmx else "briefs/detail.html"
    return render(request, template, _detail_context(request, brief, reject_form=form, reject_open=True), status=400)


@login_required
@require_POST
def reopen(request, pk: int):
    brief = _brief(request, pk)
    try:
        services.brief_reopen(brief=brief, actor=request.user)
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, "Brief reopened: it is back in the pending inbox.")
    return redirect_after_post(request, reverse("briefs:detail", args=[brief.pk]))


@login_required
@require_POST
def assign(request, pk: int):
    brief = _brief(request, pk)
    form = AssignForm(request.POST, organisation=brief.organisation)
    if form.is_valid():
        try:
            brief = services.brief_assign(brief=brief, actor=request.user, assignee=form.cleaned_data["assignee"])
        except ApplicationError as error:
            form.add_error("assignee", refusal_text(error))
        else:
            who = brief.assignee or "nobody"
            messages.success(request, f"Brief assigned to {who}.")
            return redirect_after_post(request, reverse("briefs:detail", args=[brief.pk]))
    require_permission(request.user, Permission.BRIEF_TRIAGE)
    return render(request, "briefs/detail.html", _detail_context(request, brief, assign_form=form), status=400)
