"""Pins and feedback items from the annotation and presenter pages; each form returns to the page it came from."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.services import organisation_for_user
from tracker.views import redirect_back

from .. import selectors
from ..forms import AnnotationForm, FeedbackForm, FeedbackStatusForm
from ..services.feedback import annotation_create, feedback_item_create, feedback_item_edit, feedback_item_set_status
from .common import run_service, show_form_errors


def _review_page(deliverable_id: int) -> str:
    return reverse("reviews:annotate", args=[deliverable_id])


@login_required
@require_POST
def annotation_add(request, pk: int):
    revision = selectors.revision_get(organisation=organisation_for_user(request.user), pk=pk)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: annotation_create(
                revision=revision,
                x=form.cleaned_data["x"],
                y=form.cleaned_data["y"],
                body=form.cleaned_data["body"],
                actor=request.user,
            ),
            "Pin added.",
        )
    else:
        show_form_errors(request, form)
    return redirect_back(request, _review_page(revision.deliverable_id))


@login_required
@require_POST
def feedback_add(request, pk: int):
    stage = selectors.stage_get(organisation=organisation_for_user(request.user), pk=pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: feedback_item_create(
                stage=stage,
                body=form.cleaned_data["body"],
                is_action_item=form.cleaned_data["is_action_item"],
                actor=request.user,
            ),
            "Feedback added.",
        )
    else:
        show_form_errors(request, form)
    return redirect_back(request, _review_page(stage.deliverable_id))


@login_required
@require_POST
def feedback_status(request, pk: int):
    item = selectors.feedback_item_get(organisation=organisation_for_user(request.user), pk=pk)
    form = FeedbackStatusForm(request.POST)
    if form.is_valid():
        run_service(
            request, lambda: feedback_item_set_status(item=item, status=form.cleaned_data["status"], actor=request.user)
        )
    else:
        show_form_errors(request, form)
    return redirect_back(request, _review_page(item.stage.deliverable_id))


@login_required
@require_POST
def feedback_edit(request, pk: int):
    item = selectors.feedback_item_get(organisation=organisation_for_user(request.user), pk=pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: feedback_item_edit(
                item=item,
                body=form.cleaned_data["body"],
                is_action_item=form.cleaned_data["is_action_item"],
                actor=request.user,
            ),
            "Feedback updated.",
        )
    else:
        show_form_errors(request, form)
    return redirect_back(request, _review_page(item.stage.deliverable_id))
