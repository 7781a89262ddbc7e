"""The import pages under /projects/import: upload, confirm the mapping, review the dry run, commit, download.

Every page needs PROJECT_CREATE (producers and admins): an import's report shows what it would write. The dry run
and the commit run in Celery; while one runs the page polls a small progress partial (htmx), and the producer may
leave and come back to the same URL.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.errors import ApplicationError
from tracker.export import sheets_response
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, refusal_text, show_refusal

from . import selectors, services
from .forms import MappingForm, UploadForm
from .models import ImportRow, SpreadsheetImport
from .plan import ERROR
from .report import report_sheets, template_sheets

PAGE_SIZE = 100
# The table's filter: "all", or one action, each with the words the page shows.
SHOW = {"all": "All rows", **{action.value: action.label for action in ImportRow.Action}}


def _organisation(request):
    require_permission(request.user, Permission.PROJECT_CREATE)
    return organisation_for_user(request.user)


def _import(request, pk: int) -> SpreadsheetImport:
    return selectors.spreadsheet_import_detail(organisation=_organisation(request), pk=pk)


@login_required
def import_start(request):
    organisation = _organisation(request)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                created = services.spreadsheet_import_upload(
                    organisation=organisation, actor=request.user, file_name=upload.name, content=upload
                )
            except ApplicationError as error:
                form.add_error("file", refusal_text(error))
            else:
                return redirect_after_post(request, reverse("spreadsheets:detail", args=[created.pk]))
    imports = selectors.spreadsheet_import_list(organisation=organisation)[:10]
    status = 400 if form.errors else 200
    return render(request, "spreadsheets/start.html", {"form": form, "imports": imports}, status=status)


@login_required
def import_template(request):
    _organisation(request)
    return sheets_response(file_name="project-import-template.xlsx", sheets=template_sheets())


@login_required
def import_detail(request, pk: int, *, mapping_form: MappingForm | None = None, status: int = 200):
    spreadsheet_import = _import(request, pk)
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "all"
    rows = selectors.spreadsheet_import_rows(
        organisation=spreadsheet_import.organisation,
        spreadsheet_import=spreadsheet_import,
        action="" if show == "all" else show,
    )
    page = Paginator(rows if spreadsheet_import.has_report else rows.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if mapping_form is None:
        mapping_form = MappingForm(headers=spreadsheet_import.headers, mapping=spreadsheet_import.mapping)
    context = {
        "import": spreadsheet_import,
        "mapping_form": mapping_form,
        "page": page,
        "show": show,
        "shows": SHOW.items(),
        "query_string": f"show={show}",
        "errors": spreadsheet_import.summary.get(ERROR, 0),
    }
    return render(request, "spreadsheets/detail.html", context, status=status)


@login_required
@require_POST
def import_mapping(request, pk: int):
    spreadsheet_import = _import(request, pk)
    form = MappingForm(request.POST, headers=spreadsheet_import.headers, mapping=spreadsheet_import.mapping)
    if form.is_valid():
        try:
            services.spreadsheet_import_set_mapping(
                spreadsheet_import=spreadsheet_import, actor=request.user, mapping=form.mapping()
            )
        except ApplicationError as error:
            form.add_error(None, refusal_text(error))
        else:
            return redirect_after_post(request, reverse("spreadsheets:detail", args=[pk]))
    return import_detail(request, pk, mapping_form=form, status=400)


@login_required
@require_POST
def import_commit(request, pk: int):
    spreadsheet_import = _import(request, pk)
    try:
        services.spreadsheet_import_start_commit(
            spreadsheet_import=spreadsheet_import, actor=request.user, sha256=request.POST.get("sha256", "")
        )
    except ApplicationError as error:
        show_refusal(request, error)
    return redirect_after_post(request, reverse("spreadsheets:detail", args=[pk]))


@login_required
@require_POST
def import_retry(request, pk: int):
    """Re-queue a dry run or commit that stopped moving (its message was lost, its worker died)."""
    spreadsheet_import = _import(request, pk)
    try:
        services.spreadsheet_import_retry(spreadsheet_import=spreadsheet_import, actor=request.user)
    except ApplicationError as error:
        show_refusal(request, error)
    return redirect_after_post(request, reverse("spreadsheets:detail", args=[pk]))


@login_required
def import_progress(request, pk: int):
    """The progress bar, polled by htmx while a step runs; once it has finished the whole page reloads."""
    progress = selectors.spreadsheet_import_progress(organisation=_organisation(request), pk=pk)
    if not progress.running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "spreadsheets/_progress.html", {"import": progress})


@login_required
def import_report(request, pk: int):
    spreadsheet_import = _import(request, pk)
    if not spreadsheet_import.has_report:
        return redirect("spreadsheets:detail", pk=pk)
    stem = spreadsheet_import.file_name.rsplit(".", 1)[0]
    return sheets_response(file_name=f"{stem}-import-report.xlsx", sheets=report_sheets(spreadsheet_import))
