"""The deliverable page (its stage rows and their gates, its status, the panels other apps add) and the project
page's deliverables panel with its "Add deliverable" form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from projects import selectors as project_selectors
from projects.models import ApprovalType, Project
from projects.views import project_page
from tracker.errors import ApplicationError, NotFoundError
from tracker.export import dated_name, xlsx_response
from tracker.paging import Paginator
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, refusal_text, show_refusal

from . import selectors, services
from .forms import DeliverableCreateForm, DeliverableEditForm, DeliverableFilterForm
from .machine import INTENT_LABELS, Intent, allowed, intents_from
from .models import Deliverable, Revision, Stage

NOTE_MAX = 2000  # a hold or reopen note, as long as a person would write
PAGE_SIZE = 25


def _deliverable(request, pk: int) -> Deliverable:
    return selectors.deliverable_detail(organisation=organisation_for_user(request.user), pk=pk)


def _stage(request, pk: int, stage_pk: int) -> Stage:
    return selectors.deliverable_stage_detail(
        organisation=organisation_for_user(request.user), deliverable_pk=pk, pk=stage_pk
    )


def _labelled(history) -> list:
    steps = list(history)
    for step in steps:
        step.label = INTENT_LABELS.get(step.intent, step.intent)
    return steps


def _context(request, deliverable: Deliverable, **extra) -> dict:
    user = request.user
    stages = list(deliverable.stages.all())
    done = [s for s in stages if s.status == Stage.Status.DONE]
    last_done = done[-1] if done else None
    return {
        "deliverable": deliverable,
        "project": deliverable.project,
        "stages": stages,
        "done_count": len(done),
        "can_edit": has_permission(user, Permission.DELIVERABLE_EDIT),
        "can_approve": has_permission(user, Permission.STAGE_APPROVE),
        "manual_intents": [intent.value for intent in intents_from(deliverable.status)],
        # Only the last completion by hand can be undone; a formal pass belongs to its review session.
        "reopenable": last_done
        if last_done is not None
        and last_done.approval_type != ApprovalType.FORMAL
        and allowed(Intent.REOPEN, deliverable.status)
        else None,
        "history": _labelled(
            selectors.deliverable_history(organisation=deliverable.project.organisation, deliverable=deliverable)[
                : selectors.HISTORY_ON_PAGE
            ]
        ),
        "edit_form": extra.pop("edit_form", None)
        or DeliverableEditForm(
            initial=DeliverableEditForm.initial_from(deliverable), organisation=deliverable.project.organisation
        ),
        **extra,
    }


@login_required
@require_GET
def deliverable_list(request):
    """Every project's deliverables, filtered: due this week, overdue, assigned to me, waiting for my approval.
    The home page's tiles link here with those filters."""
    form = DeliverableFilterForm(request.GET)
    deliverables = selectors.deliverable_list(
        organisation=organisation_for_user(request.user), **form.filters(request.user)
    )
    page = Paginator(deliverables, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "filtered": bool(query),
        "today": timezone.localdate(),
    }
    # The whole page whoever asks: the filter form cuts its results out with hx-select (see briefs' inbox).
    response = render(request, "deliverables/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def deliverable_detail(request, pk: int):
    deliverable = _deliverable(request, pk)
    return render(request, "deliverables/detail.html", _context(request, deliverable))


def _after_change(request, pk: int):
    """After any action on the page: htmx gets the whole page body again (header badge, status control, stages,
    panels and history all re-rendered from the new state, so nothing on screen is stale); a plain form gets a
    redirect to the page."""
    if request.htmx:
        return render(request, "deliverables/_page.html", _context(request, _deliverable(request, pk)))
    return redirect_after_post(request, reverse("deliverables:detail", args=[pk]))


def _act(request, pk: int, service, success: str, **kwargs):
    try:
        service(actor=request.user, **kwargs)
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, success)
    return _after_change(request, pk)


@login_required
@require_POST
def stage_complete(request, pk: int, stage_pk: int):
    """NONE gate: anyone who may edit the deliverable marks the current stage complete."""
    stage = _stage(request, pk, stage_pk)
    return _act(
        request, pk, services.deliverable_complete_stage, f"{stage.name} marked complete.",
        deliverable=stage.deliverable, stage=stage,
    )  # fmt: skip


@login_required
@require_POST
def stage_approve(request, pk: int, stage_pk: int):
    """SIMPLE gate: one approval by a reviewer, producer or admin, recorded with who and when."""
    stage = _stage(request, pk, stage_pk)
    return _act(
        request, pk, services.deliverable_approve_stage, f"{stage.name} approved.",
        deliverable=stage.deliverable, stage=stage,
    )  # fmt: skip


@login_required
@require_POST
def stage_reopen(request, pk: int, stage_pk: int):
    """Undo a "Mark complete" or an approval made by mistake: that stage is current again."""
    stage = _stage(request, pk, stage_pk)
    return _act(
        request, pk, services.deliverable_reopen_stage, f"{stage.name} reopened.",
        deliverable=stage.deliverable, stage=stage, note=request.POST.get("note", "")[:NOTE_MAX],
    )  # fmt: skip


@login_required
@require_POST
def deliverable_hold(request, pk: int):
    deliverable = _deliverable(request, pk)
    return _act(
        request, pk, services.deliverable_hold, "Put on hold: its stages are frozen until it is released.",
        deliverable=deliverable, note=request.POST.get("note", "")[:NOTE_MAX],
    )  # fmt: skip


@login_required
@require_POST
def deliverable_release(request, pk: int):
    deliverable = _deliverable(request, pk)
    return _act(
        request, pk, services.deliverable_release, "Released from hold.",
        deliverable=deliverable, note=request.POST.get("note", "")[:NOTE_MAX],
    )  # fmt: skip


@login_required
@require_POST
def deliverable_edit(request, pk: int):
    deliverable = _deliverable(request, pk)
    form = DeliverableEditForm(request.POST, organisation=deliverable.project.organisation)
    if form.is_valid():
        try:
            services.deliverable_update(deliverable=deliverable, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, "Deliverable saved.")
            return redirect_after_post(request, reverse("deliverables:detail", args=[pk]))
    # The edit form comes back with its errors only to those who may edit.
    require_permission(request.user, Permission.DELIVERABLE_EDIT)
    return render(
        request, "deliverables/detail.html", _context(request, deliverable, edit_form=form, edit_open=True), status=400
    )


# --- The project page's deliverables panel ---------------------------------------------------------------------


def project_deliverables_panel(request, project: Project, form: DeliverableCreateForm | None = None) -> str:
    """The project's deliverables with their progress, and the "Add deliverable" form for those who may add.
    Registered on the project page in `DeliverablesConfig.ready()`; `form` is a failed add's bound form."""
    can_add = has_permission(request.user, Permission.DELIVERABLE_CREATE)
    mine = request.method == "GET" and request.GET.get("assigned") == "me"
    context = {
        "project": project,
        "deliverables": selectors.deliverable_list_for_project(
            organisation=project.organisation, project=project, assigned_to=request.user if mine else None
        ),
        "assigned_to_me": mine,
        "can_add_deliverable": can_add,
        "deliverable_form": form or (DeliverableCreateForm(organisation=project.organisation) if can_add else None),
        "add_open": form is not None,
        "today": timezone.localdate(),
    }
    return render_to_string("deliverables/_project_deliverables.html", context, request=request)


@login_required
@require_POST
def deliverable_create(request, project_pk: int):
    """Add a deliverable to a project; its stages are copied from the project's pipeline."""
    organisation = organisation_for_user(request.user)
    project = project_selectors.project_detail(organisation=organisation, pk=project_pk)
    form = DeliverableCreateForm(request.POST, organisation=organisation)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "name"}
        try:
            deliverable = services.deliverable_create(
                project=project, name=form.cleaned_data["name"], actor=request.user, **fields
            )
        except ApplicationError as error:
            form.add_error("name" if error.extra.get("field") == "name" else None, refusal_text(error))
        else:
            messages.success(request, f"Deliverable “{deliverable.name}” added.")
            if request.htmx:
                return HttpResponse(project_deliverables_panel(request, project))
            return redirect_after_post(request, reverse("projects:detail", args=[project.pk]) + "#deliverables")
    # The add form comes back with its errors only to those who may add.
    require_permission(request.user, Permission.DELIVERABLE_CREATE)
    if request.htmx:
        return HttpResponse(project_deliverables_panel(request, project, form), status=400)
    return project_page(request, project, status=400, panel_state={"deliverables": {"form": form}})


@login_required
def project_deliverables_export(request, project_pk: int):
    """ "Download XLSX" of the project's deliverables panel, in the spreadsheet import's deliverable columns."""
    organisation = organisation_for_user(request.user)
    project = project_selectors.project_detail(organisation=organisation, pk=project_pk)
    deliverables = selectors.deliverable_list_for_project(organisation=organisation, project=project)
    headers = ("OMG Job Number", "Deliverable Name", "Priority", "Status", "Due Date", "Notes", "CMF SKU",
               "Asset Count", "Current stage", "Stages done", "Assignee")  # fmt: skip
    rows = (
        (project.omg_job_number, d.name, d.get_priority_display(), d.get_status_display(), d.due_date, d.notes,
         d.cmf_sku, d.asset_count, d.current_stage.name if d.current_stage else "", f"{d.done_stages}/{d.total_stages}",
         str(d.assignee) if d.assignee else "")
        for d in deliverables.iterator(chunk_size=500)
    )  # fmt: skip
    name = dated_name(f"{project.project_code}-deliverables")
    return xlsx_response(file_name=name, headers=headers, rows=rows, sheet_title="Deliverables")


@login_required
@require_GET
def revision_thumbnail(request, pk: int):
    """A revision's thumbnail, checked like its file (`reviews:revision_file`): signed in, the deliverable's
    organisation, never a public URL. A thumbnail not made (yet) is not found: pages draw the icon instead."""
    revision = selectors.revision_get(organisation=organisation_for_user(request.user), pk=pk)
    if revision.thumbnail_status != Revision.ThumbnailStatus.READY or not revision.thumbnail:
        raise NotFoundError("this revision has no thumbnail")
    try:
        handle = revision.thumbnail.open("rb")
    except FileNotFoundError as error:
        raise NotFoundError("the thumbnail's file is missing") from error
    response = FileResponse(handle, content_type="image/jpeg")
    # A revision's file never changes, so neither does its picture.
    response["Cache-Control"] = "private, max-age=86400"
    return response
