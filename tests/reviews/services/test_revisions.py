"""Reviews' side of a new round: open action items carried forward, reviewers asked. The file checks and the
round numbering are `deliverables.revisions` (tests/deliverables/test_revisions.py)."""

import pytest
from django.db import IntegrityError

from deliverables.models import Revision
from reviews.models import FeedbackItem
from reviews.services.feedback import feedback_item_create, feedback_item_set_status
from reviews.services.revisions import revision_upload
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import ProjectFactory, make_deliverable
from tracker.errors import ApplicationError
from tracker.models import Notification

from ..files import upload
from ..helpers import advance_to, pin

pytestmark = pytest.mark.django_db

RESOLVED = FeedbackItem.Status.RESOLVED


def test_new_round_carries_open_action_items_and_marks_the_old_ones_carried(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    still_open = pin(deliverable, reviewer, "Logo too small")
    resolved = pin(deliverable, reviewer, "Crop the left edge", x=0.1, y=0.1)
    feedback_item_set_status(status=RESOLVED, item=resolved, actor=reviewer)
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
    # The producer heard only that the deliverable was assigned to them (when it was made), not of the upload.
    assert list(Notification.objects.filter(recipient=producer).values_list("kind", flat=True)) == [
        Notification.Kind.ASSIGNED
    ]


def test_upload_before_any_review_stage_asks_nobody(producer, reviewer):
    revision_upload(deliverable=make_deliverable(), file=upload(), actor=producer)
    # Pipeline's next gated stage is Internal Review, so reviewers are asked even at the start.
    assert Notification.objects.filter(recipient=reviewer).count() == 1


def test_a_refused_file_stores_no_round_and_carries_nothing(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    item = pin(deliverable, reviewer)
    with pytest.raises(ApplicationError, match=".gif is not accepted"):
        revision_upload(deliverable=deliverable, file=upload("art.gif", b"GIF89a" + b"\x00" * 20), actor=producer)
    item.refresh_from_db()
    assert deliverable.revisions.count() == 1 and item.status == FeedbackItem.Status.OPEN


def test_a_file_from_an_integration_carries_items_and_asks_reviewers(at_client_review, reviewer):
    deliverable = at_client_review()
    pin(deliverable, reviewer)
    revision = revision_upload(
        deliverable=deliverable, file=upload(), actor=None, name="box.png", source=Revision.Source.BOX
    )
    assert revision.round == 2 and revision.created_by is None
    assert FeedbackItem.objects.filter(revision=revision, status=FeedbackItem.Status.OPEN).count() == 1
    note = Notification.objects.filter(recipient=reviewer, kind=Notification.Kind.REVIEW_REQUESTED).latest("id")
    assert note.body == "Ready for Client Review. 1 open item(s) carried forward."


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_carry_each_open_item_along_one_chain(producer, reviewer):
    require_postgres()
    deliverable = make_deliverable(ProjectFactory(), "Race", assignee=producer)
    advance_to(deliverable, "Client Review", producer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    pin(deliverable, reviewer)
    results = run_at_once([lambda: revision_upload(deliverable=deliverable, file=upload(), actor=producer)] * 3)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(deliverable.revisions.values_list("round", flat=True)) == [1, 2, 3, 4]
    open_items = FeedbackItem.objects.filter(status=FeedbackItem.Status.OPEN)
    assert [item.revision.round for item in open_items] == [4]
