"""Review sessions: building, starting, deciding and completing."""

import threading

import pytest
from django.db import IntegrityError, connection

from deliverables.models import Deliverable, Stage
from deliverables.services import deliverable_set_by_upstream
from reviews.models import FeedbackItem, ReviewSession, ReviewSessionItem
from reviews.services.feedback import feedback_item_set_status
from reviews.services.revisions import revision_upload
from reviews.services.sessions import (
    review_session_add_item,
    review_session_complete,
    review_session_create,
    review_session_decide,
    review_session_remove_item,
    review_session_reorder,
    review_session_start,
    review_session_update,
)
from tests.conftest import require_postgres
from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tracker import events
from tracker.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from tracker.models import Notification, Organisation, User

from ..files import upload
from ..helpers import advance_to, latest, pin, running_session

pytestmark = pytest.mark.django_db

APPROVED = ReviewSessionItem.Decision.APPROVED
CHANGES = ReviewSessionItem.Decision.CHANGES_REQUESTED
REJECTED = ReviewSessionItem.Decision.REJECTED
WONT_FIX = FeedbackItem.Status.WONT_FIX


def test_session_is_built_in_draft(at_client_review, reviewer):
    a, b, c = at_client_review("A"), at_client_review("B"), at_client_review("C")
    session = review_session_create(title=" Monday ", actor=reviewer, deliverables=[a, b])
    assert session.status == ReviewSession.Status.DRAFT and session.title == "Monday"
    assert session.presenter == reviewer and session.created_by == reviewer
    third = review_session_add_item(session=session, deliverable=c, actor=reviewer)
    assert third.stage == c.current_stage and third.revision == latest(c) and third.position == 3
    items = list(session.items.order_by("position"))
    reordered = review_session_reorder(
        session=session, item_ids=[items[2].pk, items[0].pk, items[1].pk], actor=reviewer
    )
    assert [i.deliverable.name for i in reordered] == ["C", "A", "B"]
    assert list(session.items.order_by("position").values_list("deliverable__name", flat=True)) == ["C", "A", "B"]
    review_session_remove_item(session=session, item=items[0], actor=reviewer)
    assert list(session.items.order_by("position").values_list("deliverable__name", flat=True)) == ["C", "B"]


def test_session_update_changes_title_and_presenter(reviewer, producer):
    session = review_session_create(title="Monday", actor=reviewer)
    session = review_session_update(session=session, title="Tuesday", presenter=producer, actor=reviewer)
    assert (session.title, session.presenter) == ("Tuesday", producer)
    with pytest.raises(ApplicationError, match="give the session a title"):
        review_session_update(session=session, title=" ", actor=reviewer)


def test_session_needs_a_title_and_review_run(viewer, reviewer):
    with pytest.raises(ApplicationError, match="give the session a title"):
        review_session_create(title="", actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        review_session_create(title="Monday", actor=viewer)


def test_items_must_be_at_a_formal_stage_with_a_revision(at_client_review, reviewer, producer):
    session = review_session_create(title="Monday", actor=reviewer)
    early = make_deliverable(name="Early")
    revision_upload(deliverable=early, file=upload(), actor=producer)
    with pytest.raises(ConflictError, match="is at Pipeline, not waiting at a formal review stage"):
        review_session_add_item(session=session, deliverable=early, actor=reviewer)
    bare = at_client_review("Bare", with_revision=False)
    with pytest.raises(ConflictError, match="has no revision to review yet"):
        review_session_add_item(session=session, deliverable=bare, actor=reviewer)
    held = at_client_review("Held")
    deliverable_set_by_upstream(deliverable=held, status=Deliverable.Status.ON_HOLD, source="api", system="test")
    with pytest.raises(ConflictError, match="is on hold"):
        review_session_add_item(session=session, deliverable=held, actor=reviewer)
    ready = at_client_review("Ready")
    review_session_add_item(session=session, deliverable=ready, actor=reviewer)
    with pytest.raises(ConflictError, match="already in this session"):
        review_session_add_item(session=session, deliverable=ready, actor=reviewer)


def test_the_database_refuses_the_same_stage_twice_in_a_session(at_client_review, reviewer):
    deliverable = at_client_review()
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[deliverable])
    with pytest.raises(IntegrityError):
        ReviewSessionItem.objects.create(
            session=session, deliverable=deliverable, stage=deliverable.current_stage, revision=latest(deliverable)
        )


def test_another_organisations_session_and_deliverables_are_not_found(at_client_review, reviewer):
    session = review_session_create(title="Monday", actor=reviewer)
    other = Organisation.objects.create(name="Other studio", slug="other")
    outsider = UserFactory(role=User.Role.REVIEWER, organisation=other)
    with pytest.raises(NotFoundError):
        review_session_add_item(session=session, deliverable=at_client_review(), actor=outsider)
    foreign = review_session_create(title="Theirs", actor=outsider)
    with pytest.raises(NotFoundError):
        review_session_add_item(session=foreign, deliverable=at_client_review("B"), actor=outsider)


def test_reorder_must_list_every_item_once(at_client_review, reviewer):
    session = review_session_create(
        title="Monday", actor=reviewer, deliverables=[at_client_review("A"), at_client_review("B")]
    )
    ids = list(session.items.values_list("pk", flat=True))
    for bad in ([ids[0]], [ids[0], ids[0]], [*ids, 999999]):
        with pytest.raises(ApplicationError, match="list every item"):
            review_session_reorder(session=session, item_ids=bad, actor=reviewer)


def test_draft_changes_are_refused_once_started(at_client_review, reviewer):
    a = at_client_review("A")
    session = running_session([a], reviewer)
    item = session.items.get()
    for call in (
        lambda: review_session_add_item(session=session, deliverable=at_client_review("B"), actor=reviewer),
        lambda: review_session_remove_item(session=session, item=item, actor=reviewer),
        lambda: review_session_reorder(session=session, item_ids=[item.pk], actor=reviewer),
        lambda: review_session_start(session=session, actor=reviewer),
    ):
        with pytest.raises(ConflictError, match="the session is in progress"):
            call()


def test_start_puts_deliverables_in_review_and_refuses_an_empty_session(at_client_review, reviewer):
    with pytest.raises(ConflictError, match="add at least one deliverable"):
        review_session_start(session=review_session_create(title="Empty", actor=reviewer), actor=reviewer)
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    deliverable.refresh_from_db()
    assert session.status == ReviewSession.Status.IN_PROGRESS and session.started_at
    assert deliverable.status == Deliverable.Status.IN_REVIEW


def test_start_uses_the_latest_revision_and_refuses_items_that_moved_on(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[deliverable])
    round2 = revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    review_session_start(session=session, actor=reviewer)
    assert session.items.get().revision == round2

    moved = at_client_review("Moved")
    draft = review_session_create(title="Tuesday", actor=reviewer, deliverables=[moved])
    other = running_session([moved], reviewer, title="Sneaky")
    review_session_decide(session=other, item=other.items.get(), decision=APPROVED, actor=reviewer)
    review_session_complete(session=other, actor=reviewer)
    with pytest.raises(ConflictError, match="Moved is at Amends, not waiting at a formal review stage"):
        review_session_start(session=draft, actor=reviewer)


def test_a_stage_cannot_be_in_two_running_sessions(at_client_review, reviewer):
    deliverable = at_client_review()
    first = review_session_create(title="First", actor=reviewer, deliverables=[deliverable])
    second = review_session_create(title="Second", actor=reviewer, deliverables=[deliverable])
    review_session_start(session=first, actor=reviewer)
    with pytest.raises(ConflictError, match="being reviewed in the running session 'First'"):
        review_session_start(session=second, actor=reviewer)


def test_decisions_only_while_in_progress_and_must_be_known(at_client_review, reviewer):
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[at_client_review()])
    item = session.items.get()
    with pytest.raises(ConflictError, match="you can only record decisions when it is in progress"):
        review_session_decide(session=session, item=item, decision=APPROVED, actor=reviewer)
    review_session_start(session=session, actor=reviewer)
    for bad in ("PENDING", "MAYBE"):
        with pytest.raises(ApplicationError, match="decision must be one of"):
            review_session_decide(session=session, item=item, decision=bad, actor=reviewer)
    item = review_session_decide(session=session, item=item, decision=CHANGES, notes=" Fix logo ", actor=reviewer)
    assert (item.decision, item.notes, item.decided_by) == (CHANGES, "Fix logo", reviewer) and item.decided_at
    with pytest.raises(ApplicationError, match="give a reason for the rejection"):
        review_session_decide(session=session, item=item, decision=REJECTED, notes="  ", actor=reviewer)
    item = review_session_decide(session=session, item=item, decision=REJECTED, notes="Wrong brief", actor=reviewer)
    assert item.decision == REJECTED


def test_approval_is_refused_while_action_items_are_open(at_client_review, reviewer):
    deliverable = at_client_review()
    item = pin(deliverable, reviewer)
    session = running_session([deliverable], reviewer)
    with pytest.raises(ConflictError, match="round 1 still has 1 open action item"):
        review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    feedback_item_set_status(status=WONT_FIX, item=item, actor=reviewer)
    assert review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)


def test_complete_needs_every_decision(at_client_review, reviewer):
    session = running_session([at_client_review("A"), at_client_review("B")], reviewer)
    first = session.items.order_by("position").first()
    review_session_decide(session=session, item=first, decision=APPROVED, actor=reviewer)
    with pytest.raises(ConflictError, match="1 item\\(s\\) still need a decision: B"):
        review_session_complete(session=session, actor=reviewer)
    session.refresh_from_db()
    assert session.status == ReviewSession.Status.IN_PROGRESS
    with pytest.raises(ConflictError, match="you can only complete a session when it is in progress"):
        review_session_complete(session=review_session_create(title="Draft", actor=reviewer), actor=reviewer)


def test_approval_passes_the_formal_stage_and_returns_to_in_progress(at_client_review, reviewer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    session = review_session_complete(session=session, actor=reviewer)
    deliverable.refresh_from_db()
    client_review = deliverable.stages.get(name="Client Review")
    assert session.status == ReviewSession.Status.COMPLETED and session.completed_at
    assert client_review.status == Stage.Status.DONE and client_review.completed_by == reviewer
    assert deliverable.current_stage.name == "Amends" and deliverable.status == Deliverable.Status.IN_PROGRESS


def test_approval_is_rechecked_at_completion(at_client_review, reviewer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    pin(deliverable, reviewer, "Spotted late")
    with pytest.raises(ConflictError, match="cannot approve Hero banner: round 1 still has 1 open action item"):
        review_session_complete(session=session, actor=reviewer)
    session.refresh_from_db()
    deliverable.refresh_from_db()
    assert session.status == ReviewSession.Status.IN_PROGRESS
    assert deliverable.current_stage.name == "Client Review"


def test_changes_requested_sends_back_to_amends_and_tells_the_assignee(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=CHANGES, notes="Logo", actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.IN_PROGRESS and deliverable.current_stage.name == "Amends"
    assert deliverable.stages.get(name="Client Review").status == Stage.Status.PENDING
    note = Notification.objects.get(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED)
    assert note.title == "Changes requested: Hero banner" and note.body == "Logo"


def test_rejection_keeps_the_stage_and_returns_to_in_progress(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(
        session=session, item=session.items.get(), decision=REJECTED, notes="Off brief", actor=reviewer
    )
    review_session_complete(session=session, actor=reviewer)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.IN_PROGRESS and deliverable.current_stage.name == "Client Review"
    note = Notification.objects.get(recipient=producer, title="Rejected: Hero banner")
    assert (note.kind, note.get_kind_display(), note.body) == (
        Notification.Kind.REVIEW_REJECTED,
        "Rejected",
        "Off brief",
    )
    # The reason stays on the deliverable: its history keeps the rejection with the note.
    step = deliverable.transitions.order_by("-id").first()
    assert step.note == "Off brief"


def test_an_approval_tells_the_assignee(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    note = Notification.objects.exclude(kind=Notification.Kind.ASSIGNED).get(
        recipient=producer, title__endswith="Hero banner"
    )
    assert note.kind in (Notification.Kind.DELIVERABLE_APPROVED, Notification.Kind.REVIEW_PASSED)
    assert note.title == "Client Review passed: Hero banner" and note.url.endswith("/review")


def test_approving_the_last_formal_stage_approves_the_deliverable(
    at_client_review, reviewer, producer, django_capture_on_commit_callbacks
):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    advance_to(deliverable, "Final Approval", producer)
    heard = []

    def handler(name, payload):
        heard.append((name, payload["status"]))

    events.subscribe("deliverable.approved", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            final = running_session([deliverable], reviewer, title="Final")
            review_session_decide(session=final, item=final.items.get(), decision=APPROVED, actor=reviewer)
            review_session_complete(session=final, actor=reviewer)
    finally:
        events.unsubscribe("deliverable.approved", handler)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.APPROVED
    assert heard == [("deliverable.approved", "APPROVED")]


def test_session_actions_need_review_run(at_client_review, reviewer, viewer):
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[at_client_review()])
    item = session.items.get()
    for call in (
        lambda: review_session_update(session=session, title="x", actor=viewer),
        lambda: review_session_add_item(session=session, deliverable=item.deliverable, actor=viewer),
        lambda: review_session_remove_item(session=session, item=item, actor=viewer),
        lambda: review_session_reorder(session=session, item_ids=[item.pk], actor=viewer),
        lambda: review_session_start(session=session, actor=viewer),
        lambda: review_session_decide(session=session, item=item, decision=APPROVED, actor=viewer),
        lambda: review_session_complete(session=session, actor=viewer),
    ):
        with pytest.raises(PermissionDeniedError):
            call()


@pytest.mark.django_db(transaction=True)
def test_two_presenters_completing_at_once_apply_decisions_once(reviewer, producer):
    require_postgres()
    deliverable = make_deliverable(ProjectFactory(), "Race", assignee=producer)
    advance_to(deliverable, "Client Review", producer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=CHANGES, actor=reviewer)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            review_session_complete(session=session, actor=reviewer)
            outcomes.append("completed")
        except ConflictError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "completed" and "you can only complete" in sorted(outcomes)[1]
    assert Notification.objects.filter(kind=Notification.Kind.CHANGES_REQUESTED).count() == 1
