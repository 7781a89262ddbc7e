"""The review loop's day-one surprises, each proved in the browser: the revision's "What changed" note, opening a
notification, rejections that need a reason and leave a trace, approvals that tell someone, the presenter moving
to the next undecided item, plain notes without Resolve, carried items keeping their number, author and date."""

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deliverables.services import deliverable_complete_stage
from projects.models import ApprovalType
from reviews.models import FeedbackItem
from reviews.services.feedback import feedback_item_create, feedback_item_set_status
from reviews.services.revisions import revision_upload
from reviews.services.sessions import review_session_create, review_session_decide, review_session_start
from tests.factories import (
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    UserFactory,
    make_deliverable,
)
from tests.reviews.files import upload
from tests.reviews.helpers import pin, restore_defaults
from tracker.models import Notification, User
from tracker.services import notification_create, notifications_mark_read


@pytest.fixture
def studio(db):
    """Three deliverables waiting at Client Review (FORMAL, the last gate) with round 1 uploaded."""
    restore_defaults()
    template = PipelineTemplateFactory(name="Social")
    for order, (name, slug, gate) in enumerate(
        [("Design", "design", ApprovalType.NONE), ("Client Review", "client-review", ApprovalType.FORMAL)]
    ):
        PipelineStageTemplateFactory(template=template, name=name, slug=slug, order=order, approval_type=gate)
    producer = UserFactory(username="pia", first_name="Pia", last_name="Producer", role=User.Role.PRODUCER)
    reviewer = UserFactory(username="rex", first_name="Rex", last_name="Reviewer", role=User.Role.REVIEWER)
    project = ProjectFactory(name="Spring launch", pipeline_template=template, owner=producer)
    made = {}
    for name in ("Hero", "Teaser", "Poster"):
        deliverable = make_deliverable(project, name, assignee=producer)
        deliverable.refresh_from_db()
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
        revision_upload(deliverable=deliverable, file=upload(), actor=producer, note="First cut, logo placeholder")
        deliverable.refresh_from_db()
        made[name.lower()] = deliverable
    return {"producer": producer, "reviewer": reviewer, **made}


def _submit(page, selector: str):
    with page.expect_navigation():
        page.click(selector)


def test_the_what_changed_note_is_shown(page, live_server, login, studio):
    hero = studio["hero"]
    login(page, live_server, studio["producer"])
    page.goto(live_server.url + reverse("deliverables:detail", args=[hero.pk]))
    expect(page.get_by_test_id("revision-note")).to_have_text("First cut, logo placeholder")
    page.goto(live_server.url + reverse("reviews:annotate", args=[hero.pk]))
    expect(page.get_by_test_id("revision-note")).to_contain_text("First cut, logo placeholder")


def test_opening_a_notification_marks_it_read(page, live_server, login, studio):
    hero, producer = studio["hero"], studio["producer"]
    notifications_mark_read(user=producer)  # the studio's deliverables were assigned to the producer: told already
    notification_create(
        recipient=producer,
        kind=Notification.Kind.REVIEW_REQUESTED,
        title="Review requested: Hero",
        url=reverse("reviews:annotate", args=[hero.pk]),
    )
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("notifications"))
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notification-link").filter(has_text="Review requested: Hero").click()
    expect(page.locator("h1")).to_contain_text("Review · Hero")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert Notification.objects.get(recipient=producer, title="Review requested: Hero").read_at is not None


def test_a_rejection_needs_a_reason_and_an_approval_tells_the_assignee(page, live_server, login, studio):
    reviewer, producer, hero, teaser = studio["reviewer"], studio["producer"], studio["hero"], studio["teaser"]
    session = review_session_create(title="Thursday", actor=reviewer, deliverables=[hero, teaser])
    review_session_start(session=session, actor=reviewer)
    login(page, live_server, reviewer)
    page.goto(live_server.url + reverse("reviews:present", args=[session.pk]))
    expect(page.get_by_test_id("present-title")).to_have_text("Hero")
    page.get_by_test_id("decide-reject").click()
    _submit(page, "[data-testid=decide-reject-confirm]")
    expect(page.locator("#messages")).to_contain_text("Give a reason for the rejection")
    expect(page.get_by_test_id("present-title")).to_have_text("Hero")
    page.fill("[data-testid=decision-form] textarea[name=notes]", "Wrong product shot")
    page.get_by_test_id("decide-reject").click()
    _submit(page, "[data-testid=decide-reject-confirm]")
    expect(page.get_by_test_id("present-title")).to_have_text("Teaser")
    _submit(page, "[data-testid=decide-approve]")
    _submit(page, "[data-testid=complete-session]")

    page.context.clear_cookies()
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("notifications"))
    rejected = page.locator(".notifications li", has_text="Rejected: Hero")
    expect(rejected.locator(".badge")).to_have_text("Rejected")
    expect(rejected).to_contain_text("Wrong product shot")
    approved = page.locator(".notifications li", has_text="Approved: Teaser")
    expect(approved.locator(".badge")).to_have_text("Deliverable approved")
    # The rejection and its reason stay on the deliverable page.
    page.goto(live_server.url + reverse("deliverables:detail", args=[hero.pk]))
    expect(page.get_by_test_id("history")).to_contain_text("Wrong product shot")


def test_the_presenter_moves_on_to_the_next_undecided_item(page, live_server, login, studio):
    reviewer = studio["reviewer"]
    session = review_session_create(
        title="Thursday", actor=reviewer, deliverables=[studio["hero"], studio["teaser"], studio["poster"]]
    )
    review_session_start(session=session, actor=reviewer)
    teaser_item = session.items.get(deliverable=studio["teaser"])
    review_session_decide(session=session, item=teaser_item, decision="APPROVED", actor=reviewer)
    login(page, live_server, reviewer)
    page.goto(live_server.url + reverse("reviews:present", args=[session.pk]))
    expect(page.get_by_test_id("present-title")).to_have_text("Hero")
    _submit(page, "[data-testid=decide-approve]")
    expect(page.get_by_test_id("present-title")).to_have_text("Poster")  # not Teaser, already decided
    _submit(page, "[data-testid=decide-approve]")
    expect(page.get_by_test_id("present-title")).to_have_text("Poster")  # nothing left: stays, to complete
    expect(page.get_by_test_id("complete-session")).to_be_visible()


def test_plain_notes_are_not_resolved_and_carried_items_keep_their_number(page, live_server, login, studio):
    reviewer, producer, hero = studio["reviewer"], studio["producer"], studio["hero"]
    stage = hero.current_stage
    first = pin(hero, reviewer, body="Logo too small")
    second = pin(hero, reviewer, body="Price is cut off", x=0.6)
    feedback_item_create(stage=stage, body="Lovely colours", actor=reviewer, is_action_item=False)
    feedback_item_set_status(item=first, status=FeedbackItem.Status.RESOLVED, actor=reviewer)
    # Round 1 was two days ago, so a carry that re-dated its items would show.
    FeedbackItem.objects.update(created_at=F("created_at") - timezone.timedelta(days=2))
    raised = timezone.localtime(FeedbackItem.objects.get(pk=second.pk).created_at)

    login(page, live_server, producer)
    review_page = live_server.url + reverse("reviews:annotate", args=[hero.pk])
    page.goto(review_page)
    note = page.get_by_test_id("item-3")
    expect(note).to_contain_text("Lovely colours")
    expect(note.get_by_role("button", name="Resolve")).to_have_count(0)
    expect(note.get_by_role("button", name="Won't fix")).to_have_count(0)
    expect(page.get_by_test_id("resolve-2")).to_be_visible()  # an action item still offers it

    revision_upload(deliverable=hero, file=upload(), actor=producer, note="Price moved up")
    page.goto(review_page)
    carried = page.get_by_test_id("item-2")
    expect(carried).to_contain_text("Price is cut off")
    expect(carried.get_by_test_id("carried-badge")).to_have_text("Carried from round 1")
    expect(carried).to_contain_text("Rex Reviewer")
    expect(carried).to_contain_text(raised.strftime("%-d %b, %H:%M"))
    expect(page.get_by_test_id("pin-2")).to_be_visible()
    expect(page.get_by_test_id("item-1")).to_have_count(0)  # resolved in round 1, not carried
