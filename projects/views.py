"""Project pages: the list with filters and the detail page with its edit form and deliverables."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from deliverables.forms import DeliverableCreateForm
from tracker.errors import ApplicationError
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post

from . import selectors, services
from .forms import ProjectFilterForm, ProjectForm
from .models import Project

PAGE_SIZE = 25


def _project_or_404(request, pk: int) -> Project:
    try:
        return selectors.project_detail(organisation=organisation_for_user(request.user), pk=pk)
    except Project.DoesNotExist as error:
        raise Http404("project not found") from error


@login_required
def project_list(request):
    organisation = organisation_for_user(request.user)
    form = ProjectFilterForm(request.GET, organisation=organisation)
    projects = selectors.project_list(organisation=organisation, **form.cleaned())
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "filtered": bool(query),
            "today": timezone.localdate(),
        },
    )


def detail_context(request, project: Project, **extra) -> dict:
    organisation = project.organisation
    context = {
        "project": project,
        "deliverables": selectors.deliverables_for_project(project=project),
        "can_edit": has_permission(request.user, Permission.PROJECT_EDIT),
        "can_add_deliverable": has_permission(request.user, Permission.DELIVERABLE_CREATE),
        "today": timezone.localdate(),
    }
    if context["can_add_deliverable"] and "deliverable_form" not in extra:
        context["deliverable_form"] = DeliverableCreateForm(organisation=organisation)
    context.update(extra)
    return context


@login_required
def project_detail(request, pk: int):
    project = _project_or_404(request, pk)
    return render(request, "projects/detail.html", detail_context(request, project))


@login_required
def project_edit(request, pk: int):
    """GET shows the edit form on its own page; POST saves through `project_update` and returns to the project."""
    require_permission(request.user, Permission.PROJECT_EDIT)
    project = _project_or_404(request, pk)
    organisation = project.organisation
    if request.method == "POST":
        # The form validates against a throwaway copy so the displayed project stays as stored.
        form = ProjectForm(request.POST, instance=_project_or_404(request, pk), organisation=organisation)
        if form.is_valid():
            try:
                services.project_update(project=project, **form.changes())
            except ApplicationError as error:
                form.add_error(error.extra.get("field"), error.message[0].upper() + error.message[1:] + ".")
            else:
                messages.success(request, "Project saved.")
                return redirect_after_post(request, reverse("projects:detail", args=[project.pk]))
        return render(request, "projects/edit.html", {"project": project, "form": form}, status=400)
    form = ProjectForm(instance=project, organisation=organisation)
    return render(request, "projects/edit.html", {"project": project, "form": form})
