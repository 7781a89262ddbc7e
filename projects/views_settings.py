"""The pipeline editor under /settings/pipelines: admins create, rename and reorder pipeline templates.

Every write checks ADMIN_SETTINGS in its service. The views check it themselves only where they show the
editor (its pages, and a form sent back with its errors), because that only reads admin data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.errors import ApplicationError
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, redirect_back, refusal_text, show_refusal

from . import selectors, services
from .forms import PipelineRenameForm, PipelineStageApprovalForm, PipelineStageForm, PipelineTemplateForm
from .models import PipelineStageTemplate, PipelineTemplate


def _template(request, pk: int) -> PipelineTemplate:
    return selectors.pipeline_template_detail(organisation=organisation_for_user(request.user), pk=pk)


def _stage(request, pk: int, stage_pk: int) -> PipelineStageTemplate:
    return selectors.pipeline_stage_detail(
        organisation=organisation_for_user(request.user), template_pk=pk, pk=stage_pk
    )


@login_required
def pipeline_list(request):
    organisation = organisation_for_user(request.user)
    status = 200
    if request.method == "POST":
        form = PipelineTemplateForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                template = services.pipeline_template_create(
                    organisation=organisation,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    copy_from=form.cleaned_data["copy_from"],
                )
            except ApplicationError as error:
                form.add_error("name" if error.extra.get("field") == "name" else None, refusal_text(error))
            else:
                messages.success(request, f"Pipeline “{template.name}” created.")
                return redirect_after_post(request, reverse("projects:pipeline_detail", args=[template.pk]))
        status = 400
    else:
        form = PipelineTemplateForm(organisation=organisation)
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    templates = selectors.pipeline_template_list(organisation=organisation)
    return render(request, "settings/pipelines.html", {"templates": templates, "form": form}, status=status)


def _editor(request, pk: int, *, status: int = 200, fragment: bool | None = None, **forms):
    """The editor page, or only its stages panel for htmx (`fragment` overrides which)."""
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = _template(request, pk)
    context = {
        "template": template,
        "rename_form": forms.get("rename_form") or PipelineRenameForm(initial={"name": template.name}),
        "stage_form": forms.get("stage_form") or PipelineStageForm(),
        "approval_types": PipelineStageApprovalForm.base_fields["approval_type"].choices,
    }
    fragment = bool(request.htmx) if fragment is None else fragment
    name = "settings/_pipeline_stages.html" if fragment else "settings/pipeline_detail.html"
    return render(request, name, context, status=status)


@login_required
def pipeline_detail(request, pk: int):
    return _editor(request, pk)


@login_required
@require_POST
def pipeline_rename(request, pk: int):
    form = PipelineRenameForm(request.POST)
    if form.is_valid():
        try:
            services.pipeline_template_rename(template=_template(request, pk), actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error("name", refusal_text(error))
        else:
            messages.success(request, "Pipeline renamed.")
            return redirect_after_post(request, reverse("projects:pipeline_detail", args=[pk]))
    # The rename form sits outside the stages panel: the whole page comes back with its errors.
    return _editor(request, pk, status=400, fragment=False, rename_form=form)


@login_required
@require_POST
def pipeline_set_default(request, pk: int):
    template = services.pipeline_template_set_default(template=_template(request, pk), actor=request.user)
    messages.success(request, f"“{template.name}” is now the default pipeline for new deliverables.")
    return redirect_back(request, reverse("projects:pipelines"))


def _after_stage_change(request, pk: int):
    if request.htmx:
        return _editor(request, pk)
    return redirect_after_post(request, reverse("projects:pipeline_detail", args=[pk]))


@login_required
@require_POST
def pipeline_stage_add(request, pk: int):
    form = PipelineStageForm(request.POST)
    if form.is_valid():
        try:
            services.pipeline_stage_add(template=_template(request, pk), actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.extra.get("field"), refusal_text(error))
        else:
            return _after_stage_change(request, pk)
    return _editor(request, pk, status=400, stage_form=form)


@login_required
@require_POST
def pipeline_stage_remove(request, pk: int, stage_pk: int):
    services.pipeline_stage_remove(stage=_stage(request, pk, stage_pk), actor=request.user)
    return _after_stage_change(request, pk)


@login_required
@require_POST
def pipeline_stage_move(request, pk: int, stage_pk: int):
    stage = _stage(request, pk, stage_pk)
    try:
        services.pipeline_stage_move(stage=stage, actor=request.user, direction=request.POST.get("direction"))
    except ApplicationError as error:
        show_refusal(request, error)
    return _after_stage_change(request, pk)


@login_required
@require_POST
def pipeline_stage_approval(request, pk: int, stage_pk: int):
    stage = _stage(request, pk, stage_pk)
    form = PipelineStageApprovalForm(request.POST)
    if form.is_valid():
        services.pipeline_stage_update(stage=stage, actor=request.user, **form.cleaned_data)
    else:
        # The form's error is for an admin only, like the editor it goes back to.
        require_permission(request.user, Permission.ADMIN_SETTINGS)
        messages.error(request, "Pick an approval type: None, Simple approval or Formal review.")
    return _after_stage_change(request, pk)
