"""A deliverable's rounds: the annotation page, uploading the next round, and serving a round's file."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tracker.errors import NotFoundError
from tracker.permissions import Permission, has_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_back

from .. import selectors
from ..forms import RevisionUploadForm
from ..services.common import stage_under_review
from ..services.revisions import revision_upload
from .common import run_service, show_form_errors


@login_required
@require_GET
def annotate(request, pk: int):
    organisation = organisation_for_user(request.user)
    deliverable = selectors.deliverable_get(organisation=organisation, pk=pk)
    try:
        round_number = int(request.GET["round"]) if request.GET.get("round") else None
    except ValueError:
        round_number = None
    data = selectors.annotation_page(organisation=organisation, deliverable=deliverable, round_number=round_number)
    can_write = has_permission(request.user, Permission.FEEDBACK_WRITE)
    revision = data["revision"]
    return render(
        request,
        "reviews/annotate.html",
        {
            "deliverable": deliverable,
            **data,
            "stage": stage_under_review(deliverable),
            "can_write": can_write,
            "pinnable": can_write and data["is_latest"] and (revision.content_type or "").startswith("image/"),
            "can_upload": has_permission(request.user, Permission.REVISION_UPLOAD),
        },
    )


@login_required
@require_POST
def revision_upload_view(request, pk: int):
    deliverable = selectors.deliverable_get(organisation=organisation_for_user(request.user), pk=pk)
    form = RevisionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        run_service(
            request,
            lambda: revision_upload(
                deliverable=deliverable, file=file, note=form.cleaned_data["note"], actor=request.user
            ),
            f"Uploaded {file.name}.",
        )
    else:
        show_form_errors(request, form)
    return redirect_back(request, reverse("reviews:annotate", args=[deliverable.pk]))


@login_required
@require_GET
def revision_file(request, pk: int):
    """Revision files are only for signed-in users of the deliverable's organisation, never a public URL."""
    revision = selectors.revision_get(organisation=organisation_for_user(request.user), pk=pk)
    try:
        handle = revision.file.open("rb")
    except FileNotFoundError as error:
        raise NotFoundError("the revision's file is missing") from error
    # Only checked PNG/JPEG/WebP/PDF/MP4 files are ever stored, so showing them inline is safe.
    response = FileResponse(
        handle,
        content_type=revision.content_type or "application/octet-stream",
        filename=revision.original_name or revision.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
