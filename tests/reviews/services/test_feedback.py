"""Pins and feedback items."""

import pytest
from django.db import IntegrityError, transaction

from reviews.models import Annotation, FeedbackItem, ReviewSessionItem
from reviews.services.common import stage_under_review
from reviews.services.feedback import (
    annotation_create,
    feedback_item_create,
    feedback_item_delete,
    feedback_item_edit,
    feedback_item_set_status,
    feedback_item_update,
)
from reviews.services.revisions import revision_upload
from reviews.services.sessions import review_session_complete, review_session_decide
from tests.factories import UserFactory
from tracker.errors import ApplicationError, ConflictError, PermissionDeniedError
from tracker.models import Notification, User

from ..files import upload
from ..helpers import latest, pin, running_session

pytestmark = pytest.mark.django_db

CHANGES = ReviewSessionItem.Decision.CHANGES_REQUESTED
OPEN = FeedbackItem.Status.OPEN
RESOLVED = FeedbackItem.Status.RESOLVED
WONT_FIX = FeedbackItem.Status.WONT_FIX


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

    item = feedback_item_set_status(status=RESOLVED, item=item, actor=producer)
    assert item.status == FeedbackItem.Status.RESOLVED and item.resolved_by == producer and item.resolved_at

    item = feedback_item_set_status(status=OPEN, item=item, actor=reviewer)
    assert item.status == FeedbackItem.Status.OPEN and item.reopened_by == reviewer and item.reopened_at
    assert item.resolved_by is None and item.resolved_at is None

    item = feedback_item_set_status(status=WONT_FIX, item=item, actor=producer)
    assert item.status == FeedbackItem.Status.WONT_FIX and item.resolved_by == producer


def test_feedback_refusals(at_client_review, reviewer, viewer):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    with pytest.raises(ApplicationError, match="feedback cannot be empty"):
        feedback_item_create(stage=stage, body=" ", actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        feedback_item_create(stage=stage, body="hi", actor=viewer)
    item = feedback_item_create(stage=stage, body="hi", actor=reviewer)
    feedback_item_set_status(status=RESOLVED, item=item, actor=reviewer)
    with pytest.raises(ConflictError, match="an item that is resolved cannot become won't fix"):
        feedback_item_set_status(status=WONT_FIX, item=item, actor=reviewer)
    with pytest.raises(ApplicationError, match="status must be one of"):
        feedback_item_set_status(item=item, status="CARRIED", actor=reviewer)
    with pytest.raises(ApplicationError, match="feedback cannot be empty"):
        feedback_item_edit(item=item, body="", actor=reviewer)
    with pytest.raises(PermissionDeniedError):
        feedback_item_set_status(status=RESOLVED, item=item, actor=viewer)


def test_resolving_an_already_resolved_item_changes_nothing(at_client_review, reviewer, producer):
    item = feedback_item_create(stage=at_client_review().current_stage, body="hi", actor=reviewer)
    first = feedback_item_set_status(status=RESOLVED, item=item, actor=reviewer)
    again = feedback_item_set_status(status=RESOLVED, item=item, actor=producer)
    assert again.resolved_by == reviewer and again.resolved_at == first.resolved_at


def test_a_carried_item_is_frozen_and_reopening_an_old_round_is_refused(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    carried_away = pin(deliverable, reviewer)
    resolved = pin(deliverable, reviewer, "Fixed already")
    feedback_item_set_status(status=RESOLVED, item=resolved, actor=reviewer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    with pytest.raises(ConflictError, match="carried forward to a later round"):
        feedback_item_set_status(status=RESOLVED, item=carried_away, actor=reviewer)
    with pytest.raises(ConflictError, match="round 1 is not the latest revision"):
        feedback_item_set_status(status=OPEN, item=resolved, actor=reviewer)


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
