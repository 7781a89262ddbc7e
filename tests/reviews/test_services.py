import threading

import pytest
from django.db import IntegrityError, connection, transaction

from deliverables.models import Deliverable, Revision, Stage
from deliverables.services import deliverable_set_status
from reviews.models import Annotation, FeedbackItem, ReviewSession, ReviewSessionItem
from reviews.services import (
    annotation_create,
    feedback_item_create,
    feedback_item_delete,
    feedback_item_edit,
    feedback_item_reopen,
    feedback_item_resolve,
    feedback_item_set_status,
    feedback_item_update,
    feedback_item_wont_fix,
    formal_gate_refusal,
    review_session_add_item,
    review_session_complete,
    review_session_create,
    review_session_decide,
    review_session_remove_item,
    review_session_reorder,
    review_session_start,
    review_session_update,
    review_stage_pass,
    revision_upload,
    stage_under_review,
)
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tracker import events
from tracker.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from tracker.models import Notification, Organisation, User

from .files import FILE_SAMPLES, png_bytes, upload
from .helpers import advance_to

pytestmark = pytest.mark.django_db

APPROVED = ReviewSessionItem.Decision.APPROVED
CHANGES = ReviewSessionItem.Decision.CHANGES_REQUESTED
REJECTED = ReviewSessionItem.Decision.REJECTED


def latest(deliverable) -> Revision:
    return deliverable.revisions.order_by("-round").first()


def pin(deliverable, actor, body="Logo too small", x=0.25, y=0.5) -> FeedbackItem:
    annotation = annotation_create(revision=latest(deliverable), x=x, y=y, body=body, actor=actor)
    return annotation.feedback_items.get()


def running_session(deliverables, actor, title="Client review Monday") -> ReviewSession:
    session = review_session_create(title=title, actor=actor, deliverables=deliverables)
    return review_session_start(session=session, actor=actor)


# --- revisions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FILE_SAMPLES))
def test_every_accepted_file_kind_uploads_as_the_next_round(producer, name):
    deliverable = make_deliverable()
    first = revision_upload(deliverable=deliverable, file=upload(name), actor=producer)
    second = revision_upload(deliverable=deliverable, file=upload(name), actor=producer)
    assert (first.round, second.round) == (1, 2)
    assert first.original_name == name and first.size == len(FILE_SAMPLES[name]) and first.created_by == producer
    assert first.content_type.split("/")[0] in ("image", "application", "video")
    assert first.file.read() == FILE_SAMPLES[name]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("art.gif", b"GIF89a" + b"\x00" * 20, ".gif is not accepted"),
        ("art", png_bytes(), "files without an extension is not accepted"),
        ("art.png", b"%PDF-1.4 pretending", "not a PNG file"),
        ("art.jpg", png_bytes(), "not a JPG file"),
        ("art.mp4", b"plain text, not a video", "not a MP4 file"),
        ("art.png", b"", "the file is empty"),
    ],
)
def test_upload_refuses_wrong_type_or_empty_file_with_a_clear_message(producer, name, content, message):
    deliverable = make_deliverable()
    with pytest.raises(ApplicationError, match=message):
        revision_upload(deliverable=deliverable, file=upload(name, content), actor=producer)
    assert not deliverable.revisions.exists()


def test_upload_refuses_a_file_over_the_size_limit(producer, settings):
    settings.REVISION_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ApplicationError, match="the limit is 100 bytes"):
        revision_upload(deliverable=make_deliverable(), file=upload("art.png", png_bytes(200, 200)), actor=producer)


def test_upload_needs_the_revision_upload_permission(viewer):
    with pytest.raises(PermissionDeniedError):
        revision_upload(deliverable=make_deliverable(), file=upload(), actor=viewer)


def test_upload_refuses_another_organisations_deliverable(producer):
    other = Organisation.objects.create(name="Other studio", slug="other")
    outsider = UserFactory(role=User.Role.PRODUCER, organisation=other)
    with pytest.raises(NotFoundError):
        revision_upload(deliverable=make_deliverable(), file=upload(), actor=outsider)


def test_new_round_carries_open_action_items_and_marks_the_old_ones_carried(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    still_open = pin(deliverable, reviewer, "Logo too small")
    resolved = pin(deliverable, reviewer, "Crop the left edge", x=0.1, y=0.1)
    feedback_item_resolve(item=resolved, actor=reviewer)
    note = feedback_item_create(stage=still_open.stage, body="Nice palette", is_action_item=False, actor=reviewer)

    round2 = revision_upload(deliverable=deliverable, file=upload(), actor=producer)

    carried = FeedbackItem.objects.get(revision=round2)
    assert carried.carried_from == still_open and carried.status == FeedbackItem.Status.OPEN
    assert carried.body == "Logo too small" and carried.annotation == still_open.annotation
    assert carried.stage == still_open.stage and carried.author == reviewer
    still_open.refresh_from_db()
    resolved.refresh_from_db()
    note.refresh_from_db()
    assert still_open.status == FeedbackItem.Status.CARRIED
    assert resolved.status == FeedbackItem.Status.RESOLVED and note.status == FeedbackItem.Status.OPEN
    assert not FeedbackItem.objects.filter(carried_from__in=[resolved, note]).exists()


def test_a_carried_item_is_carried_again_into_the_next_round(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    first = pin(deliverable, reviewer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    round3 = revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    third = FeedbackItem.objects.get(revision=round3)
    assert third.carried_from.carried_from == first
    assert FeedbackItem.objects.filter(status=FeedbackItem.Status.OPEN).count() == 1


def test_an_item_can_be_carried_only_once():
    with pytest.raises(IntegrityError):
        item = FeedbackItem.objects.create(stage=make_deliverable().stages.first(), body="x")
        FeedbackItem.objects.create(stage=item.stage, body="x", carried_from=item)
        FeedbackItem.objects.create(stage=item.stage, body="x", carried_from=item)


def test_upload_at_a_review_stage_tells_the_organisations_reviewers(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    note = Notification.objects.get(recipient=reviewer, kind=Notification.Kind.REVIEW_REQUESTED)
    assert note.title == f"Review requested: {deliverable.name} round 1"
    assert not Notification.objects.filter(recipient=producer).exists()


def test_upload_before_any_review_stage_asks_nobody(producer, reviewer):
    revision_upload(deliverable=make_deliverable(), file=upload(), actor=producer)
    # Pipeline's next gated stage is Internal Review, so reviewers are asked even at the start.
    assert Notification.objects.filter(recipient=reviewer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_get_distinct_rounds(producer):
    require_postgres()
    deliverable = make_deliverable()
    results = run_at_once([lambda: revision_upload(deliverable=deliverable, file=upload(), actor=producer)] * 4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(deliverable.revisions.values_list("round", flat=True)) == [1, 2, 3, 4]


# --- annotations and feedback ---------------------------------------------------------------------------------


def test_annotation_creates_an_action_item_on_the_stage_under_review(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    annotation = annotation_create(revision=latest(deliverable), x=0.3, y=0.7, body=" Move logo ", actor=reviewer)
    item = annotation.feedback_items.get()
    assert (annotation.x, annotation.y, annotation.body, annotation.author) == (0.3, 0.7, "Move logo", reviewer)
    assert item.is_action_item and item.status == FeedbackItem.Status.OPEN and item.author == reviewer
    assert item.stage == deliverable.current_stage and item.stage.name == "Client Review"
    assert item.revision == latest(deliverable)
    note = Notification.objects.get(recipient=producer, kind=Notification.Kind.FEEDBACK_ADDED)
    assert note.body == "Move logo"


@pytest.mark.parametrize(("x", "y"), [(-0.01, 0.5), (0.5, 1.01), (2, 2), ("left", 0.5)])
def test_annotation_outside_the_image_is_refused(at_client_review, reviewer, x, y):
    deliverable = at_client_review()
    with pytest.raises(ApplicationError, match="x and y must be"):
        annotation_create(revision=latest(deliverable), x=x, y=y, body="off", actor=reviewer)
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(("x", "y"), [(-0.5, 0.5), (0.5, 1.5)])
def test_database_refuses_annotation_coordinates_outside_the_unit_square(at_client_review, reviewer, x, y):
    revision = latest(at_client_review())
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(revision=revision, author=reviewer, x=x, y=y, body="off")


def test_annotation_needs_a_comment_and_feedback_write(at_client_review, reviewer, viewer):
    revision = latest(at_client_review())
    with pytest.raises(ApplicationError, match="write a comment"):
        annotation_create(revision=revision, x=0.5, y=0.5, body="  ", actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        annotation_create(revision=revision, x=0.5, y=0.5, body="hi", actor=viewer)


def test_annotation_on_an_earlier_round_is_refused(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    old = latest(deliverable)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    with pytest.raises(ConflictError, match="round 1 is not the latest revision"):
        annotation_create(revision=old, x=0.5, y=0.5, body="late", actor=reviewer)


def test_feedback_during_amends_lands_on_the_next_review_stage(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    item = session.items.get()
    review_session_decide(session=session, item=item, decision=CHANGES, actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    deliverable.refresh_from_db()
    assert deliverable.current_stage.name == "Amends"
    assert stage_under_review(deliverable).name == "Client Review"


def test_feedback_item_lifecycle_records_who_and_when(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    item = feedback_item_create(stage=deliverable.current_stage, body="Darker background", actor=reviewer)
    assert item.revision == latest(deliverable) and item.is_action_item and item.author == reviewer

    item = feedback_item_edit(item=item, body="Much darker background", is_action_item=True, actor=producer)
    assert item.body == "Much darker background" and item.edited_by == producer and item.edited_at

    item = feedback_item_resolve(item=item, actor=producer)
    assert item.status == FeedbackItem.Status.RESOLVED and item.resolved_by == producer and item.resolved_at

    item = feedback_item_reopen(item=item, actor=reviewer)
    assert item.status == FeedbackItem.Status.OPEN and item.reopened_by == reviewer and item.reopened_at
    assert item.resolved_by is None and item.resolved_at is None

    item = feedback_item_wont_fix(item=item, actor=producer)
    assert item.status == FeedbackItem.Status.WONT_FIX and item.resolved_by == producer


def test_feedback_refusals(at_client_review, reviewer, viewer):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    with pytest.raises(ApplicationError, match="feedback cannot be empty"):
        feedback_item_create(stage=stage, body=" ", actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        feedback_item_create(stage=stage, body="hi", actor=viewer)
    item = feedback_item_create(stage=stage, body="hi", actor=reviewer)
    feedback_item_resolve(item=item, actor=reviewer)
    with pytest.raises(ConflictError, match="an item that is resolved cannot become won't fix"):
        feedback_item_wont_fix(item=item, actor=reviewer)
    with pytest.raises(ApplicationError, match="status must be one of"):
        feedback_item_set_status(item=item, status="CARRIED", actor=reviewer)
    with pytest.raises(ApplicationError, match="feedback cannot be empty"):
        feedback_item_edit(item=item, body="", actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        feedback_item_resolve(item=item, actor=viewer)


def test_resolving_an_already_resolved_item_changes_nothing(at_client_review, reviewer, producer):
    item = feedback_item_create(stage=at_client_review().current_stage, body="hi", actor=reviewer)
    first = feedback_item_resolve(item=item, actor=reviewer)
    again = feedback_item_resolve(item=item, actor=producer)
    assert again.resolved_by == reviewer and again.resolved_at == first.resolved_at


def test_a_carried_item_is_frozen_and_reopening_an_old_round_is_refused(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    carried_away = pin(deliverable, reviewer)
    resolved = pin(deliverable, reviewer, "Fixed already")
    feedback_item_resolve(item=resolved, actor=reviewer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    with pytest.raises(ConflictError, match="carried forward to a later round"):
        feedback_item_resolve(item=carried_away, actor=reviewer)
    with pytest.raises(ConflictError, match="round 1 is not the latest revision"):
        feedback_item_reopen(item=resolved, actor=reviewer)


def test_update_edits_and_changes_status_together(at_client_review, reviewer):
    item = feedback_item_create(stage=at_client_review().current_stage, body="hi", actor=reviewer)
    item = feedback_item_update(item=item, body="hello", status=FeedbackItem.Status.RESOLVED, actor=reviewer)
    assert (item.body, item.status) == ("hello", FeedbackItem.Status.RESOLVED)


def test_delete_removes_the_item_and_its_pin_but_only_for_author_or_producer(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    item = pin(deliverable, reviewer)
    other_reviewer = UserFactory(role=User.Role.REVIEWER)
    with pytest.raises(PermissionDeniedError, match="only the author"):
        feedback_item_delete(item=item, actor=other_reviewer)
    feedback_item_delete(item=item, actor=producer)
    assert not FeedbackItem.objects.exists() and not Annotation.objects.exists()


def test_a_carried_item_cannot_be_deleted(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    pin(deliverable, reviewer)
    round2 = revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    with pytest.raises(ConflictError, match="continues one from an earlier round"):
        feedback_item_delete(item=FeedbackItem.objects.get(revision=round2), actor=reviewer)


# --- sessions -------------------------------------------------------------------------------------------------


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
    deliverable_set_status(deliverable=held, status=Deliverable.Status.ON_HOLD)
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
    item = review_session_decide(session=session, item=item, decision=REJECTED, actor=reviewer)
    assert item.decision == REJECTED


def test_approval_is_refused_while_action_items_are_open(at_client_review, reviewer):
    deliverable = at_client_review()
    item = pin(deliverable, reviewer)
    session = running_session([deliverable], reviewer)
    with pytest.raises(ConflictError, match="round 1 still has 1 open action item"):
        review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    feedback_item_wont_fix(item=item, actor=reviewer)
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
    review_session_decide(session=session, item=session.items.get(), decision=REJECTED, actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.IN_PROGRESS and deliverable.current_stage.name == "Client Review"
    assert Notification.objects.filter(recipient=producer, title="Rejected: Hero banner").exists()


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


def test_formal_gate_refuses_without_a_completed_approval_on_the_latest_clean_revision(
    at_client_review, reviewer, producer
):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    with pytest.raises(ConflictError, match="Client Review cannot pass: no completed review session approved round 1"):
        review_stage_pass(stage=stage, actor=reviewer)
    assert formal_gate_refusal(stage=stage) == "no completed review session approved round 1"
    with pytest.raises(ConflictError, match="is not a formal review stage"):
        review_stage_pass(stage=deliverable.stages.get(name="Amends"), actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        review_stage_pass(stage=stage, actor=UserFactory(role=User.Role.VIEWER))
    # A session approved round 1, then round 2 arrived with an open item carried over.
    session = running_session([deliverable], reviewer)
    item = session.items.get()
    review_session_decide(session=session, item=item, decision=APPROVED, actor=reviewer)
    assert formal_gate_refusal(stage=stage, revision=item.revision) is None
    ReviewSession.objects.filter(pk=session.pk).update(status=ReviewSession.Status.COMPLETED)
    assert formal_gate_refusal(stage=stage) is None
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    assert formal_gate_refusal(stage=stage) == "no completed review session approved round 2"
    assert formal_gate_refusal(stage=stage, revision=item.revision) == (
        "round 1 was approved but round 2 is the latest revision"
    )


def test_formal_gate_passes_with_a_completed_approval(at_client_review, reviewer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    review_session_decide(session=session, item=session.items.get(), decision=APPROVED, actor=reviewer)
    ReviewSession.objects.filter(pk=session.pk).update(status=ReviewSession.Status.COMPLETED)
    review_stage_pass(stage=deliverable.current_stage, actor=reviewer)
    deliverable.refresh_from_db()
    assert deliverable.current_stage.name == "Amends"


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
