"""One notification per review decision and recipient, summarising the round's feedback, instead of one per
feedback item; the decisions that send work back are emailed to the assignee."""

import pytest
from django.core import mail
from django.urls import reverse

from reviews.models import FeedbackItem, ReviewSessionItem
from reviews.services.feedback import feedback_item_create, feedback_item_set_status
from reviews.services.sessions import review_session_complete, review_session_decide
from tests.factories import ProjectFactory, UserFactory
from tracker.models import Notification, NotificationPreference, OutgoingEmail, User
from tracker.services import notification_preference_set

from ..helpers import pin, running_session

pytestmark = pytest.mark.django_db

APPROVED = ReviewSessionItem.Decision.APPROVED
CHANGES = ReviewSessionItem.Decision.CHANGES_REQUESTED
REJECTED = ReviewSessionItem.Decision.REJECTED
PUBLIC = "https://tracker.example.com"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.TRACKER_PUBLIC_URL = PUBLIC
    settings.NOTIFICATION_EMAIL_DEFAULT = NotificationPreference.Email.IMMEDIATE


def review_notes(user):
    """What the review told `user` (not that a deliverable was assigned to them when it was made)."""
    return list(Notification.objects.filter(recipient=user).exclude(kind=Notification.Kind.ASSIGNED).order_by("id"))


def decide_and_complete(session, decision, actor, notes=""):
    review_session_decide(session=session, item=session.items.get(), decision=decision, notes=notes, actor=actor)
    review_session_complete(session=session, actor=actor)


def test_feedback_in_a_running_session_becomes_one_notification_and_one_email_at_the_decision(
    at_client_review, reviewer, producer, django_capture_on_commit_callbacks
):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        pin(deliverable, reviewer, "Logo too small")
        pin(deliverable, reviewer, "Darker\n background", x=0.6)
        feedback_item_create(
            stage=deliverable.current_stage, body="Love the type", is_action_item=False, actor=reviewer
        )
        assert review_notes(producer) == []  # nothing per item while the session runs
        decide_and_complete(session, CHANGES, reviewer, notes="Two fixes before Friday")

    [note] = review_notes(producer)
    assert (note.kind, note.title) == (Notification.Kind.CHANGES_REQUESTED, "Changes requested: Hero banner")
    assert note.body == (
        "Two fixes before Friday\n\n3 open feedback items:\n"
        f"- Logo too small ({reviewer})\n- Darker background ({reviewer})\n- Love the type ({reviewer})"
    )
    [message] = mail.outbox
    assert message.to == [producer.email] and message.subject.endswith("Changes requested: Hero banner")
    assert "Two fixes before Friday" in message.body and "- Darker background" in message.body
    link = PUBLIC + reverse("notification_open", args=[note.pk])
    assert link in message.body and f'href="{link}"' in message.alternatives[0][0]
    assert not Notification.objects.filter(kind=Notification.Kind.FEEDBACK_ADDED).exists()


def test_a_rejection_is_one_notification_and_email_to_the_assignee(
    at_client_review, reviewer, producer, django_capture_on_commit_callbacks
):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        pin(deliverable, reviewer, "Wrong product shot")
        decide_and_complete(session, REJECTED, reviewer, notes="Off brief")
    [note] = review_notes(producer)
    assert note.kind == Notification.Kind.REVIEW_REJECTED
    assert note.body == f"Off brief\n\n1 open feedback item:\n- Wrong product shot ({reviewer})"
    [message] = mail.outbox
    assert message.to == [producer.email] and "Rejected: Hero banner" in message.subject
    assert "Wrong product shot" in message.body


def test_an_approval_tells_the_assignee_and_owner_once_each_in_the_app_only(
    reviewer, producer, django_capture_on_commit_callbacks, at_client_review
):
    owner = UserFactory(username="olga")
    deliverable = at_client_review(project=ProjectFactory(owner=owner))
    session = running_session([deliverable], reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        for body in ("Logo too small", "Darker background"):
            feedback_item_set_status(
                item=pin(deliverable, reviewer, body), status=FeedbackItem.Status.RESOLVED, actor=producer
            )
        decide_and_complete(session, APPROVED, reviewer)
    for user in (producer, owner):
        [note] = review_notes(user)
        assert note.title == "Client Review passed: Hero banner"
        assert note.body == "Client Review approved round 1.\n\n2 feedback items on round 1, all settled."
    assert mail.outbox == []  # a pass needs no action


def test_a_long_list_of_items_is_cut_short(at_client_review, reviewer, producer):
    deliverable = at_client_review()
    session = running_session([deliverable], reviewer)
    for number in range(12):
        feedback_item_create(stage=deliverable.current_stage, body=f"Fix {number}", actor=reviewer)
    decide_and_complete(session, CHANGES, reviewer)
    [note] = review_notes(producer)
    assert note.body.startswith("Client Review asked for changes on round 1.\n\n12 open feedback items:\n- Fix 0")
    assert "- Fix 9" in note.body and "Fix 10" not in note.body
    assert note.body.endswith("… and 2 more on the review page.")


def test_feedback_outside_a_session_tells_the_assignee_per_item_in_the_app_only(
    at_client_review, reviewer, producer, django_capture_on_commit_callbacks
):
    deliverable = at_client_review()
    with django_capture_on_commit_callbacks(execute=True):
        pin(deliverable, reviewer, "Logo too small")
    [note] = review_notes(producer)
    assert (note.kind, note.body) == (Notification.Kind.FEEDBACK_ADDED, "Logo too small")
    assert mail.outbox == []


def test_an_assignee_who_chose_the_app_only_or_was_deactivated_gets_no_email(
    at_client_review, reviewer, producer, django_capture_on_commit_callbacks
):
    notification_preference_set(user=producer, email=NotificationPreference.Email.NONE)
    first = at_client_review()
    session = running_session([first], reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide_and_complete(session, CHANGES, reviewer, notes="Logo")
    assert [n.kind for n in review_notes(producer)] == [Notification.Kind.CHANGES_REQUESTED]
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()

    second = at_client_review(name="Teaser")
    User.objects.filter(pk=producer.pk).update(is_active=False)
    second.assignee.refresh_from_db()
    session = running_session([second], reviewer, title="Second")
    with django_capture_on_commit_callbacks(execute=True):
        decide_and_complete(session, CHANGES, reviewer, notes="Logo")
    assert len(review_notes(producer)) == 1  # a deactivated assignee is not told at all
    assert mail.outbox == []
