"""The deliverable page: its stage rows and their gates, its status, and adding deliverables to a project."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from projects import selectors as project_selectors
from projects.models import Project
from projects.views import detail_context as project_detail_context
from tracker.errors import ApplicationError
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post

from . import selectors, services
from .forms import DeliverableCreateForm, DeliverableEditForm, DeliverableStatusForm
from .models import Deliverable, Stage


def _message(error: ApplicationError) -> str:
    return error.message[0].upper() + error.message[1:] + "."


def _deliverable_or_404(request, pk: int) -> Deliverable:
    try:
        return selectors.deliverable_detail(organisation=organisation_for_user(request.user), pk=pk)
    except Deliverable.DoesNotExist as error:
        raise Http404("deliverable not found") from error


def _stage_or_404(deliverable: Deliverable, stage_pk: int) -> Stage:
    for stage in deliverable.stages.all():
        if stage.pk == stage_pk:
            return stage
    raise Http404("stage not found")


def _context(request, deliverable: Deliverable, **extra) -> dict:
    user = request.user
    stages = list(deliverable.stages.all())
    return {
        "deliverable": deliverable,
        "project": deliverable.project,
        "stages": stages,
        "done_count": sum(1 for s in stages if s.status == Stage.Status.DONE),
        "can_edit": has_permission(user, Permission.DELIVERABLE_EDIT),
        "can_approve": has_permission(user, Permission.STAGE_APPROVE),
        "status_form": DeliverableStatusForm(initial={"status": deliverable.status}),
        "edit_form": extra.pop("edit_form", None)
        or DeliverableEditForm(
            initial=DeliverableEditForm.initial_from(deliverable), organisation=deliverable.project.organisation
        ),
        **extra,
    }


@login_required
def deliverable_detail(request, pk: int):
    deliverable = _deliverable_or_404(request, pk)
    return render(request, "deliverables/detail.html", _context(request, deliverable))


def _after_stage_change(request, pk: int, error: ApplicationError | None = None):
    """htmx swaps the stages panel in place; a plain form gets the whole page back via redirect."""
    if error is not None:
        messages.error(request, _message(error))
    if request.htmx:
        deliverable = _deliverable_or_404(request, pk)
        return render(request, "deliverables/_stages.html", _context(request, deliverable, htmx_fragment=True))
    return redirect_after_post(request, reverse("deliverables:detail", args=[pk]))


@login_required
@require_POST
def stage_complete(request, pk: int, stage_pk: int):
    """NONE gate: anyone who may edit the deliverable marks the current stage complete."""
    require_permission(request.user, Permission.DELIVERABLE_EDIT)
    deliverable = _deliverable_or_404(request, pk)
    stage = _stage_or_404(deliverable, stage_pk)
    try:
        services.deliverable_complete_stage(deliverable=deliverable, stage=stage, actor=request.user)
    except ApplicationError as error:
        return _after_stage_change(request, pk, error)
    messages.success(request, f"{stage.name} marked complete.")
    return _after_stage_change(request, pk)


@login_required
@require_POST
def stage_approve(request, pk: int, stage_pk: int):
    """SIMPLE gate: one approval by a reviewer, producer or admin, recorded with who and when."""
    require_permission(request.user, Permission.STAGE_APPROVE)
    deliverable = _deliverable_or_404(request, pk)
    stage = _stage_or_404(deliverable, stage_pk)
    try:
        services.deliverable_approve_stage(deliverable=deliverable, stage=stage, actor=request.user)
    except ApplicationError as error:
        return _after_stage_change(request, pk, error)
    messages.success(request, f"{stage.name} approved.")
    return _after_stage_change(request, pk)


@login_required
@require_POST
def deliverable_set_status(request, pk: int):
    require_permission(request.user, Permission.DELIVERABLE_EDIT)
    deliverable = _deliverable_or_404(request, pk)
    form = DeliverableStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick one of the listed statuses.")
        return redirect_after_post(request, reverse("deliverables:detail", args=[pk]))
    try:
        services.deliverable_set_status(deliverable=deliverable, status=form.cleaned_data["status"], actor=request.user)
    except ApplicationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, "Status updated.")
    return redirect_after_post(request, reverse("deliverables:detail", args=[pk]))


@login_required
@require_POST
def deliverable_edit(request, pk: int):
    require_permission(request.user, Permission.DELIVERABLE_EDIT)
    deliverable = _deliverable_or_404(request, pk)
    form = DeliverableEditForm(request.POST, organisation=deliverable.project.organisation)
    if form.is_valid():
        try:
            services.deliverable_update(deliverable=deliverable, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, "Deliverable saved.")
            return redirect_after_post(request, reverse("deliverables:detail", args=[pk]))
    return render(
        request, "deliverables/detail.html", _context(request, deliverable, edit_form=form, edit_open=True), status=400
    )


@login_required
@require_POST
def deliverable_create(request, project_pk: int):
    """Add a deliverable to a project; its stages are copied from the project's pipeline."""
    require_permission(request.user, Permission.DELIVERABLE_CREATE)
    organisation = organisation_for_user(request.user)
    try:
        project = project_selectors.project_detail(organisation=organisation, pk=project_pk)
    except Project.DoesNotExist as error:
        raise Http404("project not found") from error
    form = DeliverableCreateForm(request.POST, organisation=organisation)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "name"}
        try:
            deliverable = services.deliverable_create(
                project=project, name=form.cleaned_data["name"], actor=request.user, **fields
            )
        except ApplicationError as error:
            form.add_error("name" if error.extra.get("field") == "name" else None, _message(error))
        else:
            messages.success(request, f"Deliverable “{deliverable.name}” added.")
            if request.htmx:
                return render(request, "projects/_deliverables.html", _project_fragment(request, project))
            return redirect_after_post(request, reverse("projects:detail", args=[project.pk]) + "#deliverables")
    if request.htmx:
        return render(request, "projects/_deliverables.html", _project_fragment(request, project, form), status=400)
    return render(
        request,
        "projects/detail.html",
        project_detail_context(request, project, deliverable_form=form, add_open=True),
        status=400,
    )


def _project_fragment(request, project: Project, form: DeliverableCreateForm | None = None) -> dict:
    return {
        "project": project,
        "deliverables": project_selectors.deliverables_for_project(project=project),
        "can_add_deliverable": True,
        "deliverable_form": form or DeliverableCreateForm(organisation=project.organisation),
        "add_open": form is not None,
        "today": timezone.localdate(),
    }
