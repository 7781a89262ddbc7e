"""The pipeline editor under /settings/pipelines: admins create, rename and reorder pipeline templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.errors import ApplicationError
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, safe_next

from . import selectors, services
from .forms import PipelineRenameForm, PipelineStageApprovalForm, PipelineStageForm, PipelineTemplateForm
from .models import PipelineStageTemplate, PipelineTemplate


def _message(error: ApplicationError) -> str:
    return error.message[0].upper() + error.message[1:] + "."


def _template_or_404(request, pk: int) -> PipelineTemplate:
    try:
        return selectors.pipeline_template_detail(organisation=organisation_for_user(request.user), pk=pk)
    except PipelineTemplate.DoesNotExist as error:
        raise Http404("pipeline not found") from error


def _stage_or_404(template: PipelineTemplate, stage_pk: int) -> PipelineStageTemplate:
    for stage in template.stages.all():
        if stage.pk == stage_pk:
            return stage
    raise Http404("stage not found")


@login_required
def pipeline_list(request):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    organisation = organisation_for_user(request.user)
    form = PipelineTemplateForm(organisation=organisation)
    status = 200
    if request.method == "POST":
        form = PipelineTemplateForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                template = services.pipeline_template_create(
                    organisation=organisation, name=form.cleaned_data["name"], copy_from=form.cleaned_data["copy_from"]
                )
            except ApplicationError as error:
                form.add_error("name" if error.extra.get("field") == "name" else None, _message(error))
            else:
                messages.success(request, f"Pipeline “{template.name}” created.")
                return redirect_after_post(request, reverse("projects:pipeline_detail", args=[template.pk]))
        status = 400
    templates = selectors.pipeline_template_list(organisation=organisation)
    return render(request, "settings/pipelines.html", {"templates": templates, "form": form}, status=status)


def _editor(request, template: PipelineTemplate, status: int = 200, **forms):
    template = _template_or_404(request, template.pk)
    context = {
        "template": template,
        "rename_form": forms.get("rename_form") or PipelineRenameForm(initial={"name": template.name}),
        "stage_form": forms.get("stage_form") or PipelineStageForm(),
        "approval_types": PipelineStageApprovalForm.base_fields["approval_type"].choices,
    }
    name = "settings/_pipeline_stages.html" if request.htmx else "settings/pipeline_detail.html"
    return render(request, name, context, status=status)


@login_required
def pipeline_detail(request, pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    return _editor(request, _template_or_404(request, pk))


@login_required
@require_POST
def pipeline_rename(request, pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = _template_or_404(request, pk)
    form = PipelineRenameForm(request.POST)
    if form.is_valid():
        try:
            services.pipeline_template_rename(template=template, name=form.cleaned_data["name"])
        except ApplicationError as error:
            form.add_error("name", _message(error))
        else:
            messages.success(request, "Pipeline renamed.")
            return redirect_after_post(request, reverse("projects:pipeline_detail", args=[pk]))
    request.META.pop("HTTP_HX_REQUEST", None)  # the rename form sits outside the stages fragment
    return _editor(request, template, status=400, rename_form=form)


@login_required
@require_POST
def pipeline_set_default(request, pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = services.pipeline_template_set_default(template=_template_or_404(request, pk))
    messages.success(request, f"“{template.name}” is now the default pipeline for new deliverables.")
    return redirect_after_post(request, safe_next(request, reverse("projects:pipelines")))


def _after_stage_change(request, template: PipelineTemplate):
    if request.htmx:
        return _editor(request, template)
    return redirect_after_post(request, reverse("projects:pipeline_detail", args=[template.pk]))


@login_required
@require_POST
def pipeline_stage_add(request, pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = _template_or_404(request, pk)
    form = PipelineStageForm(request.POST)
    if form.is_valid():
        try:
            services.pipeline_stage_add(template=template, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.extra.get("field"), _message(error))
        else:
            return _after_stage_change(request, template)
    return _editor(request, template, status=400, stage_form=form)


@login_required
@require_POST
def pipeline_stage_remove(request, pk: int, stage_pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = _template_or_404(request, pk)
    services.pipeline_stage_remove(stage=_stage_or_404(template, stage_pk))
    return _after_stage_change(request, template)


@login_required
@require_POST
def pipeline_stage_move(request, pk: int, stage_pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = _template_or_404(request, pk)
    try:
        services.pipeline_stage_move(stage=_stage_or_404(template, stage_pk), direction=request.POST.get("direction"))
    except ApplicationError as error:
        messages.error(request, _message(error))
    return _after_stage_change(request, template)


@login_required
@require_POST
def pipeline_stage_approval(request, pk: int, stage_pk: int):
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    template = _template_or_404(request, pk)
    form = PipelineStageApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick an approval type: None, Simple approval or Formal review.")
        return _after_stage_change(request, template)
    services.pipeline_stage_set_approval_type(
        stage=_stage_or_404(template, stage_pk), approval_type=form.cleaned_data["approval_type"]
    )
    return _after_stage_change(request, template)
