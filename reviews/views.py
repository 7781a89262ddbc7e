"""Review pages. Each view parses its input, reads through `reviews.selectors`, calls one service and renders
or redirects; a service's refusal comes back to the page as a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tracker.errors import ApplicationError
from tracker.permissions import Permission, has_permission

from . import selectors, services
from .forms import (
    AddItemsForm,
    AnnotationForm,
    DecisionForm,
    FeedbackForm,
    FeedbackStatusForm,
    MoveForm,
    RevisionUploadForm,
    SessionCreateForm,
    SessionForm,
)
from .models import FeedbackItem, ReviewSession

STATUS_TABS = [
    (ReviewSession.Status.IN_PROGRESS, "In progress"),
    (ReviewSession.Status.DRAFT, "Drafts"),
    (ReviewSession.Status.COMPLETED, "Completed"),
]


def _back(request, fallback: str):
    """Redirect to the `next` the form sent, when it is one of ours, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = (form.fields[field].label or field.replace("_", " ")) if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label.capitalize()}: {error}" if label else error)


def _run(request, call, success: str | None = None) -> bool:
    """Call a service; a refusal becomes an error message on the next page."""
    try:
        call()
    except ApplicationError as error:
        messages.error(request, error.message)
        return False
    if success:
        messages.success(request, success)
    return True


# --- sessions -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def session_list(request):
    sessions = list(selectors.review_session_list(user=request.user))
    groups = [(status, label, [s for s in sessions if s.status == status]) for status, label in STATUS_TABS]
    return render(
        request,
        "reviews/session_list.html",
        {"groups": groups, "can_run": has_permission(request.user, Permission.REVIEW_RUN)},
    )


@login_required
def session_new(request):
    if not has_permission(request.user, Permission.REVIEW_RUN):
        messages.error(request, "You need permission to run reviews to build a session.")
        return redirect("reviews:list")
    awaiting = list(selectors.deliverables_awaiting_review(user=request.user))
    form = SessionCreateForm(request.POST or None, awaiting=awaiting)
    if request.method == "POST":
        if form.is_valid():
            chosen = [d for d in awaiting if d.pk in set(form.cleaned_data["deliverables"])]
            created = {}

            def create():
                created["session"] = services.review_session_create(
                    title=form.cleaned_data["title"], actor=request.user, deliverables=chosen
                )

            if _run(request, create, "Session created."):
                return redirect("reviews:detail", pk=created["session"].pk)
        else:
            _form_errors(request, form)
    return render(request, "reviews/session_new.html", {"form": form, "awaiting": awaiting})


@login_required
@require_GET
def session_detail(request, pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    if session.status == ReviewSession.Status.COMPLETED:
        return redirect("reviews:summary", pk=session.pk)
    items = list(session.items.all())
    in_session = {item.deliverable_id for item in items}
    awaiting = []
    if session.status == ReviewSession.Status.DRAFT:
        awaiting = [d for d in selectors.deliverables_awaiting_review(user=request.user) if d.pk not in in_session]
    return render(
        request,
        "reviews/session_detail.html",
        {
            "session": session,
            "items": items,
            "awaiting": awaiting,
            "pending": sum(1 for item in items if item.decision == "PENDING"),
            "can_run": has_permission(request.user, Permission.REVIEW_RUN),
        },
    )


@login_required
@require_POST
def session_edit(request, pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.review_session_update(
                session=session, title=form.cleaned_data["title"], actor=request.user
            ),
            "Session renamed.",
        )
    else:
        _form_errors(request, form)
    return redirect("reviews:detail", pk=session.pk)


@login_required
@require_POST
def session_add_items(request, pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    awaiting = list(selectors.deliverables_awaiting_review(user=request.user))
    form = AddItemsForm(request.POST, awaiting=awaiting)
    if form.is_valid():
        chosen = [d for d in awaiting if d.pk in set(form.cleaned_data["deliverables"])]
        _run(
            request,
            lambda: services.review_session_add_items(session=session, deliverables=chosen, actor=request.user),
            f"Added {len(chosen)} deliverable{'s' if len(chosen) != 1 else ''}.",
        )
    else:
        _form_errors(request, form)
    return redirect("reviews:detail", pk=session.pk)


@login_required
@require_POST
def session_remove_item(request, pk: int, item_pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    item = selectors.review_session_item_get(session=session, pk=item_pk)
    _run(request, lambda: services.review_session_remove_item(session=session, item=item, actor=request.user))
    return redirect("reviews:detail", pk=session.pk)


@login_required
@require_POST
def session_move_item(request, pk: int, item_pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    item = selectors.review_session_item_get(session=session, pk=item_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.review_session_move_item(
                session=session, item=item, direction=form.cleaned_data["direction"], actor=request.user
            ),
        )
    return redirect("reviews:detail", pk=session.pk)


@login_required
@require_POST
def session_start(request, pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    if _run(request, lambda: services.review_session_start(session=session, actor=request.user), "Session started."):
        return redirect("reviews:present", pk=session.pk)
    return redirect("reviews:detail", pk=session.pk)


@login_required
@require_POST
def session_decide(request, pk: int, item_pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    item = selectors.review_session_item_get(session=session, pk=item_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.review_session_decide(
                session=session,
                item=item,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            ),
            f"{item.deliverable.name}: {form.cleaned_data['decision'].replace('_', ' ').lower()}.",
        )
    else:
        _form_errors(request, form)
    return _back(request, reverse("reviews:present", args=[session.pk]))


@login_required
@require_POST
def session_complete(request, pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    if _run(
        request, lambda: services.review_session_complete(session=session, actor=request.user), "Session completed."
    ):
        return redirect("reviews:summary", pk=session.pk)
    return _back(request, reverse("reviews:present", args=[session.pk]))


@login_required
@require_GET
def session_present(request, pk: int):
    """One item at a time: the revision large with its pins, the checklist beside it, the decision buttons."""
    session = selectors.review_session_get(user=request.user, pk=pk)
    if session.status == ReviewSession.Status.DRAFT:
        messages.info(request, "Start the session to present it.")
        return redirect("reviews:detail", pk=session.pk)
    items = selectors.review_items_with_feedback(session=session)
    if not items:
        return redirect("reviews:detail", pk=session.pk)
    try:
        index = min(max(int(request.GET.get("item", 1)), 1), len(items)) - 1
    except ValueError:
        index = 0
    current = items[index]
    return render(
        request,
        "reviews/session_present.html",
        {
            "session": session,
            "items": items,
            "current": current,
            "index": index + 1,
            "previous_index": index if index > 0 else None,
            "next_index": index + 2 if index + 1 < len(items) else None,
            "pending": sum(1 for item in items if item.decision == "PENDING"),
            "decision_form": DecisionForm(initial={"notes": current.notes}),
            "can_run": has_permission(request.user, Permission.REVIEW_RUN),
            "can_write": has_permission(request.user, Permission.FEEDBACK_WRITE),
        },
    )


@login_required
@require_GET
def session_summary(request, pk: int):
    session = selectors.review_session_get(user=request.user, pk=pk)
    items = selectors.review_items_with_feedback(session=session)
    counts = {decision: 0 for decision in ("APPROVED", "CHANGES_REQUESTED", "REJECTED", "PENDING")}
    for item in items:
        counts[item.decision] += 1
        item.still_open = [f for f in item.feedback if f.is_action_item and f.status == FeedbackItem.Status.OPEN]
    return render(
        request,
        "reviews/session_summary.html",
        {
            "session": session,
            "items": items,
            "decision_counts": counts,
            "open_total": sum(len(item.still_open) for item in items),
        },
    )


# --- revisions, annotations and feedback ----------------------------------------------------------------------


@login_required
@require_GET
def annotate(request, pk: int):
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    try:
        round_number = int(request.GET["round"]) if request.GET.get("round") else None
    except ValueError:
        round_number = None
    data = selectors.annotation_page(deliverable=deliverable, round_number=round_number)
    can_write = has_permission(request.user, Permission.FEEDBACK_WRITE)
    revision = data["revision"]
    return render(
        request,
        "reviews/annotate.html",
        {
            "deliverable": deliverable,
            **data,
            "stage": services.stage_under_review(deliverable),
            "can_write": can_write,
            "pinnable": can_write and data["is_latest"] and (revision.content_type or "").startswith("image/"),
            "can_upload": has_permission(request.user, Permission.REVISION_UPLOAD),
        },
    )


@login_required
@require_POST
def revision_upload_view(request, pk: int):
    deliverable = selectors.deliverable_get(user=request.user, pk=pk)
    form = RevisionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        _run(
            request,
            lambda: services.revision_upload(
                deliverable=deliverable, file=file, note=form.cleaned_data["note"], actor=request.user
            ),
            f"Uploaded {file.name}.",
        )
    else:
        _form_errors(request, form)
    return _back(request, reverse("reviews:annotate", args=[deliverable.pk]))


@login_required
@require_GET
def revision_file(request, pk: int):
    """Revision files are only for signed-in users of the deliverable's organisation, never a public URL."""
    revision = selectors.revision_get(user=request.user, pk=pk)
    try:
        handle = revision.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("file missing") from error
    # Only checked PNG/JPEG/WebP/PDF/MP4 files are ever stored, so showing them inline is safe.
    response = FileResponse(
        handle,
        content_type=revision.content_type or "application/octet-stream",
        filename=revision.original_name or revision.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def annotation_add(request, pk: int):
    revision = selectors.revision_get(user=request.user, pk=pk)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.annotation_create(
                revision=revision,
                x=form.cleaned_data["x"],
                y=form.cleaned_data["y"],
                body=form.cleaned_data["body"],
                actor=request.user,
            ),
            "Pin added.",
        )
    else:
        _form_errors(request, form)
    return _back(request, reverse("reviews:annotate", args=[revision.deliverable_id]))


@login_required
@require_POST
def feedback_add(request, pk: int):
    stage = selectors.stage_get(user=request.user, pk=pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.feedback_item_create(
                stage=stage,
                body=form.cleaned_data["body"],
                is_action_item=form.cleaned_data["is_action_item"],
                actor=request.user,
            ),
            "Feedback added.",
        )
    else:
        _form_errors(request, form)
    return _back(request, reverse("reviews:annotate", args=[stage.deliverable_id]))


@login_required
@require_POST
def feedback_status(request, pk: int):
    item = selectors.feedback_item_get(user=request.user, pk=pk)
    form = FeedbackStatusForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.feedback_item_set_status(
                item=item, status=form.cleaned_data["status"], actor=request.user
            ),
        )
    else:
        _form_errors(request, form)
    return _back(request, reverse("reviews:annotate", args=[item.stage.deliverable_id]))


@login_required
@require_POST
def feedback_edit(request, pk: int):
    item = selectors.feedback_item_get(user=request.user, pk=pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.feedback_item_edit(
                item=item,
                body=form.cleaned_data["body"],
                is_action_item=form.cleaned_data["is_action_item"],
                actor=request.user,
            ),
            "Feedback updated.",
        )
    else:
        _form_errors(request, form)
    return _back(request, reverse("reviews:annotate", args=[item.stage.deliverable_id]))


@login_required
@require_GET
def stage_panel(request, pk: int, stage_pk: int):
    """The deliverable page's review panel for one stage: latest revision, open items, sessions that covered it."""
    stage = selectors.stage_get(user=request.user, pk=stage_pk)
    if stage.deliverable_id != pk:
        raise Http404("stage not found on this deliverable")
    return render(
        request,
        "reviews/stage_panel.html",
        {
            "stage": stage,
            "deliverable": stage.deliverable,
            **selectors.stage_panel(stage=stage),
            "gate_refusal": services.formal_gate_refusal(stage=stage) if stage.approval_type == "FORMAL" else None,
            "is_htmx": request.headers.get("HX-Request") == "true",
        },
    )
