"""Project pages: the list with filters, the detail page (with the panels other apps add) and its edit form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from tracker.errors import ApplicationError
from tracker.export import dated_name, xlsx_response
from tracker.paging import Paginator
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, refusal_text

from . import selectors, services
from .forms import ProjectFilterForm, ProjectForm
from .models import Project
from .panels import render_panels

PAGE_SIZE = 25


def _project(request, pk: int) -> Project:
    return selectors.project_detail(organisation=organisation_for_user(request.user), pk=pk)


@login_required
def project_list(request):
    organisation = organisation_for_user(request.user)
    form = ProjectFilterForm(request.GET, organisation=organisation, user=request.user)
    projects = selectors.with_latest_revision(selectors.project_list(organisation=organisation, **form.cleaned()))
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
            "can_create": has_permission(request.user, Permission.PROJECT_CREATE),
        },
    )


# The headers are the spreadsheet import's own, so a downloaded list re-imports cleanly (keyed on the OMG job number).
EXPORT_HEADERS = (
    "OMG Job Number", "Project Code", "Project Name", "Client", "Team", "Category", "Priority", "Status", "Outputs",
    "Accepted", "External Deadline", "Requestor", "Notes", "Description",
)  # fmt: skip


@login_required
def project_export(request):
    """ "Download XLSX": exactly the rows the list's filters show, every page of them."""
    organisation = organisation_for_user(request.user)
    form = ProjectFilterForm(request.GET, organisation=organisation, user=request.user)
    projects = selectors.project_list(organisation=organisation, **form.cleaned())
    rows = (
        (p.omg_job_number, p.project_code, p.name, p.client, p.client_team.name if p.client_team else "",
         p.business_unit, p.get_priority_display(), p.get_status_display(), p.outputs, p.start_date, p.due_date,
         p.requestor, p.notes, p.description)
        for p in projects.iterator(chunk_size=500)
    )  # fmt: skip
    return xlsx_response(file_name=dated_name("projects"), headers=EXPORT_HEADERS, rows=rows, sheet_title="Projects")


@login_required
def project_new(request):
    """ "New project": GET shows the form, POST creates the project through `project_create` (source "ui"),
    owned by whoever the form names (the signed-in producer unless changed)."""
    organisation = organisation_for_user(request.user)
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST, organisation=organisation)
        if form.is_valid():
            fields = form.changes()
            try:
                project = services.project_create(
                    organisation=organisation,
                    actor=request.user,
                    omg_job_number=fields.pop("omg_job_number"),
                    source="ui",
                    **fields,
                )
            except ApplicationError as error:
                # The form checked the unique OMG job number; one taken meanwhile comes back from the service.
                omg = "omg_job_number" if "omg job number" in error.message.lower() else None
                form.add_error(error.extra.get("field") or omg, refusal_text(error))
            else:
                messages.success(request, f"Project {project.project_code} created.")
                return redirect_after_post(request, reverse("projects:detail", args=[project.pk]))
        status = 400
    else:
        form = ProjectForm(organisation=organisation, initial={"owner": request.user.pk})
    # The form (empty, or back with its errors) is only for those who may create projects.
    require_permission(request.user, Permission.PROJECT_CREATE)
    return render(request, "projects/new.html", {"form": form}, status=status)


def project_page(request, project: Project, *, status: int = 200, panel_state: dict | None = None) -> HttpResponse:
    """The project page. A view that shows it again after a failed POST for one of its panels passes that
    panel's state by name (see `projects.panels`)."""
    context = {
        "project": project,
        "can_edit": has_permission(request.user, Permission.PROJECT_EDIT),
        "today": timezone.localdate(),
        "progress": selectors.project_progress(project=project),
        "panels": render_panels(request, project, panel_state),
    }
    return render(request, "projects/detail.html", context, status=status)


@login_required
def project_detail(request, pk: int):
    return project_page(request, _project(request, pk))


@login_required
def project_edit(request, pk: int):
    """GET shows the edit form on its own page; POST saves through `project_update` and returns to the project."""
    project = _project(request, pk)
    organisation = project.organisation
    status = 200
    if request.method == "POST":
        # The form validates against a throwaway copy so the displayed project stays as stored.
        form = ProjectForm(request.POST, instance=_project(request, pk), organisation=organisation)
        if form.is_valid():
            try:
                services.project_update(project=project, actor=request.user, **form.changes())
            except ApplicationError as error:
                form.add_error(error.extra.get("field"), refusal_text(error))
            else:
                messages.success(request, "Project saved.")
                return redirect_after_post(request, reverse("projects:detail", args=[project.pk]))
        status = 400
    else:
        form = ProjectForm(instance=project, organisation=organisation)
    # The edit form (empty, or back with its errors) is only for those who may edit.
    require_permission(request.user, Permission.PROJECT_EDIT)
    return render(request, "projects/edit.html", {"project": project, "form": form}, status=status)
