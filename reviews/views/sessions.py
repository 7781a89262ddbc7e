"""Review session pages: the list, the builder, a draft's running order, the presenter and the summary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tracker.errors import ApplicationError
from tracker.export import dated_name, xlsx_response
from tracker.paging import Paginator
from tracker.permissions import Permission, has_permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, redirect_back, show_refusal

from .. import selectors
from ..forms import AddItemsForm, DecisionForm, MoveForm, SessionCreateForm, SessionForm
from ..models import FeedbackItem, ReviewSession
from ..services.sessions import (
    review_session_add_items,
    review_session_complete,
    review_session_create,
    review_session_decide,
    review_session_move_item,
    review_session_remove_item,
    review_session_start,
    review_session_update,
)
from .common import run_service, show_form_errors

STATUS_TABS = [
    (ReviewSession.Status.IN_PROGRESS, "In progress"),
    (ReviewSession.Status.DRAFT, "Drafts"),
    (ReviewSession.Status.COMPLETED, "Completed"),
]


def _detail(session: ReviewSession) -> str:
    return reverse("reviews:detail", args=[session.pk])


def _session(request, pk: int) -> ReviewSession:
    return selectors.review_session_get(organisation=organisation_for_user(request.user), pk=pk)


# The list shows this many of each status; "Show all" pages through one status.
GROUP_SIZE = 25
PAGE_SIZE = 50


def _awaiting_page(request, awaiting):
    """One page of the deliverables waiting for review and the query string that keeps the search on the others."""
    page = Paginator(awaiting, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _picked(awaiting, data) -> list:
    """The posted deliverables that are (still) waiting for review: one query, as many rows as were ticked."""
    ids = [int(value) for value in data.getlist("deliverables") if value.isdigit()]
    return list(awaiting.filter(pk__in=ids))


@login_required
@require_GET
def session_list(request):
    organisation = organisation_for_user(request.user)
    mine = request.GET.get("presenter") == "me"  # "Sessions to run" on the home page
    presenter = request.user if mine else None
    only = request.GET.get("status", "")
    counts = selectors.review_session_counts(organisation=organisation, presenter=presenter)
    sessions = selectors.review_session_list(organisation=organisation, presenter=presenter)
    page, query_string = None, ""
    if only in ReviewSession.Status.values:
        page = Paginator(sessions.filter(status=only), PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query_string = query.urlencode()
        groups = [(status, label, page.object_list, counts[status]) for status, label in STATUS_TABS if status == only]
    else:
        groups = [
            (status, label, list(sessions.filter(status=status)[:GROUP_SIZE]), counts[status])
            for status, label in STATUS_TABS
        ]
    return render(
        request,
        "reviews/session_list.html",
        {
            "groups": groups,
            "page": page,
            "query_string": query_string,
            "only": only if page else "",
            "can_run": has_permission(request.user, Permission.REVIEW_RUN),
            "mine": mine,
        },
    )


@login_required
def session_new(request):
    require_permission(request.user, Permission.REVIEW_RUN)  # the builder shows work waiting for review
    organisation = organisation_for_user(request.user)
    search = request.GET.get("q", "").strip()
    awaiting = selectors.deliverables_awaiting_review(organisation=organisation, search=search)
    if request.method == "POST":
        form = SessionCreateForm(request.POST, awaiting=_picked(awaiting, request.POST))
        if form.is_valid():
            chosen = [d for d in form.awaiting if d.pk in set(form.cleaned_data["deliverables"])]
            try:
                session = review_session_create(
                    title=form.cleaned_data["title"], actor=request.user, deliverables=chosen
                )
            except ApplicationError as error:
                show_refusal(request, error)
            else:
                messages.success(request, "Session created.")
                return redirect_after_post(request, _detail(session))
        else:
            show_form_errors(request, form)
    else:
        form = SessionCreateForm(initial={"title": request.GET.get("title", "")})
    page, query_string = _awaiting_page(request, awaiting)
    return render(
        request,
        "reviews/session_new.html",
        {"form": form, "awaiting": page.object_list, "page": page, "query_string": query_string, "search": search},
    )


@login_required
@require_GET
def session_detail(request, pk: int):
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    if session.status == ReviewSession.Status.COMPLETED:
        return redirect("reviews:summary", pk=session.pk)
    items = list(session.items.all())
    awaiting, page, query_string, search = [], None, "", request.GET.get("q", "").strip()
    if session.status == ReviewSession.Status.DRAFT:
        candidates = selectors.deliverables_awaiting_review(organisation=organisation, search=search)
        page, query_string = _awaiting_page(request, candidates.exclude(pk__in=[item.deliverable_id for item in items]))
        awaiting = page.object_list
    return render(
        request,
        "reviews/session_detail.html",
        {
            "session": session,
            "items": items,
            "awaiting": awaiting,
            "page": page,
            "query_string": query_string,
            "search": search,
            "pending": sum(1 for item in items if item.decision == "PENDING"),
            "can_run": has_permission(request.user, Permission.REVIEW_RUN),
        },
    )


@login_required
@require_POST
def session_edit(request, pk: int):
    session = _session(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: review_session_update(session=session, title=form.cleaned_data["title"], actor=request.user),
            "Session renamed.",
        )
    else:
        show_form_errors(request, form)
    return redirect_after_post(request, _detail(session))


@login_required
@require_POST
def session_add_items(request, pk: int):
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    awaiting = _picked(selectors.deliverables_awaiting_review(organisation=organisation), request.POST)
    form = AddItemsForm(request.POST, awaiting=awaiting)
    if form.is_valid():
        chosen = [d for d in awaiting if d.pk in set(form.cleaned_data["deliverables"])]
        run_service(
            request,
            lambda: review_session_add_items(session=session, deliverables=chosen, actor=request.user),
            f"Added {len(chosen)} deliverable{'s' if len(chosen) != 1 else ''}.",
        )
    else:
        show_form_errors(request, form)
    return redirect_after_post(request, _detail(session))


@login_required
@require_POST
def session_remove_item(request, pk: int, item_pk: int):
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    item = selectors.review_session_item_get(organisation=organisation, session=session, pk=item_pk)
    run_service(request, lambda: review_session_remove_item(session=session, item=item, actor=request.user))
    return redirect_after_post(request, _detail(session))


@login_required
@require_POST
def session_move_item(request, pk: int, item_pk: int):
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    item = selectors.review_session_item_get(organisation=organisation, session=session, pk=item_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: review_session_move_item(
                session=session, item=item, direction=form.cleaned_data["direction"], actor=request.user
            ),
        )
    return redirect_after_post(request, _detail(session))


@login_required
@require_POST
def session_start(request, pk: int):
    session = _session(request, pk)
    if run_service(request, lambda: review_session_start(session=session, actor=request.user), "Session started."):
        return redirect_after_post(request, reverse("reviews:present", args=[session.pk]))
    return redirect_after_post(request, _detail(session))


@login_required
@require_POST
def session_decide(request, pk: int, item_pk: int):
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    item = selectors.review_session_item_get(organisation=organisation, session=session, pk=item_pk)
    form = DecisionForm(request.POST)
    decided = False
    if form.is_valid():
        decided = run_service(
            request,
            lambda: review_session_decide(
                session=session,
                item=item,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            ),
            f"{item.deliverable.name}: {form.cleaned_data['decision'].replace('_', ' ').lower()}.",
        )
    else:
        show_form_errors(request, form)
    if not decided:  # a refusal stays on the item, so its message sits next to the decision it is about
        order = list(session.items.order_by("position", "id").values_list("pk", flat=True))
        full = "&full=1" if request.POST.get("full") == "1" else ""
        return redirect_after_post(
            request, f"{reverse('reviews:present', args=[session.pk])}?item={order.index(item.pk) + 1}{full}"
        )
    return redirect_back(request, reverse("reviews:present", args=[session.pk]))


@login_required
@require_POST
def session_complete(request, pk: int):
    session = _session(request, pk)
    if run_service(request, lambda: review_session_complete(session=session, actor=request.user), "Session completed."):
        return redirect_after_post(request, reverse("reviews:summary", args=[session.pk]))
    return redirect_back(request, reverse("reviews:present", args=[session.pk]))


@login_required
@require_GET
def session_present(request, pk: int):
    """One item at a time: the revision large with its pins, the checklist beside it, the decision buttons.

    `?full=1` is present mode: the same page without the sidebar, which the "Full screen" button also puts in the
    browser's full screen. Its links and forms are htmx-boosted, so moving between items and deciding swap the
    page in place and the full screen stays (a page load would leave it); Esc leaves for the page with the
    sidebar (static/js/present.js)."""
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    if session.status == ReviewSession.Status.DRAFT:
        messages.info(request, "Start the session to present it.")
        return redirect("reviews:detail", pk=session.pk)
    items = selectors.review_items_with_feedback(organisation=organisation, session=session)
    if not items:
        return redirect("reviews:detail", pk=session.pk)
    undecided = [i for i, item in enumerate(items) if item.decision == "PENDING"]
    try:
        index = min(max(int(request.GET["item"]), 1), len(items)) - 1
    except (KeyError, ValueError):
        index = undecided[0] if undecided else 0  # opening the presenter starts at the first item still to decide
    current = items[index]
    # After a decision the presenter moves on to the next item still to decide (after this one, then from the top),
    # never to one already decided; when none is left it stays here, where "Complete session" is.
    after = [i for i in undecided if i > index] + [i for i in undecided if i < index]
    full = request.GET.get("full") == "1"
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
            "after_decision_index": after[0] + 1 if after else index + 1,
            "pending": sum(1 for item in items if item.decision == "PENDING"),
            "decision_form": DecisionForm(initial={"notes": current.notes}),
            "can_run": has_permission(request.user, Permission.REVIEW_RUN),
            "can_write": has_permission(request.user, Permission.FEEDBACK_WRITE),
            "full": full,
            "mode": "&full=1" if full else "",  # carried by every link and form that stays in the presenter
        },
    )


@login_required
@require_GET
def session_summary(request, pk: int):
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    items = selectors.review_items_with_feedback(organisation=organisation, session=session)
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


@login_required
@require_GET
def session_summary_export(request, pk: int):
    """ "Download XLSX" of the summary's decisions table, with the action items still open on each row."""
    organisation = organisation_for_user(request.user)
    session = selectors.review_session_get(organisation=organisation, pk=pk)
    items = selectors.review_items_with_feedback(organisation=organisation, session=session)
    headers = ("#", "Deliverable", "Stage", "Round", "Decision", "Decided by", "Decided at", "Notes",
               "Deliverable status now", "Action items still open")  # fmt: skip
    rows = (
        (index, item.deliverable.name, item.stage.name, item.revision.round,
         item.get_decision_display(), str(item.decided_by) if item.decided_by else "", item.decided_at, item.notes,
         item.deliverable.get_status_display(),
         "\n".join(f"{f.number}. {f.body}" for f in item.feedback
                   if f.is_action_item and f.status == FeedbackItem.Status.OPEN))
        for index, item in enumerate(items, start=1)
    )  # fmt: skip
    return xlsx_response(file_name=dated_name(f"review-{session.pk}-summary"), headers=headers, rows=rows,
                         sheet_title="Summary")  # fmt: skip
