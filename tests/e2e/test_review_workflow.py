"""The formal review workflow end to end, in the browser: a producer uploads a revision; a reviewer drops two
pins and resolves one, builds and presents a session and requests changes; the producer uploads round 2 and
sees the open item carried; the reviewer resolves it and approves in a second session; the deliverable is
APPROVED."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deliverables.models import Deliverable
from deliverables.services import deliverable_complete_stage
from projects.models import ApprovalType
from reviews.models import FeedbackItem, ReviewSession
from reviews.services.revisions import revision_upload
from tests.factories import (
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    UserFactory,
    make_deliverable,
)
from tests.reviews.files import png_bytes, upload
from tests.reviews.helpers import restore_defaults
from tracker.models import Notification, User


@pytest.fixture
def studio(db):
    """A project whose pipeline ends in one Client Review (FORMAL), so approving it approves the deliverable;
    two deliverables waiting there, one with its first round still to upload."""
    # A transactional test elsewhere in the run may have emptied the database before this one starts.
    restore_defaults()
    template = PipelineTemplateFactory(name="Social")
    for order, (name, slug, gate) in enumerate(
        [
            ("Design", "design", ApprovalType.NONE),
            ("Client Review", "client-review", ApprovalType.FORMAL),
            ("Amends", "amends", ApprovalType.NONE),
            ("Delivery", "delivery", ApprovalType.NONE),
        ]
    ):
        PipelineStageTemplateFactory(template=template, name=name, slug=slug, order=order, approval_type=gate)
    producer = UserFactory(username="pia", first_name="Pia", last_name="Producer", role=User.Role.PRODUCER)
    reviewer = UserFactory(username="rex", first_name="Rex", last_name="Reviewer", role=User.Role.REVIEWER)
    project = ProjectFactory(name="Spring launch", pipeline_template=template)
    hero = make_deliverable(project, "Hero banner", assignee=producer)
    teaser = make_deliverable(project, "Teaser", assignee=producer)
    for deliverable in (hero, teaser):
        deliverable.refresh_from_db()
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    revision_upload(deliverable=teaser, file=upload(), actor=producer)
    return {"producer": producer, "reviewer": reviewer, "hero": hero, "teaser": teaser}


def png_file(name: str, colour: tuple[int, int, int]) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": png_bytes(640, 400, colour)}


def sign_in_as(page, live_server, login, user):
    page.context.clear_cookies()
    login(page, live_server, user)


def submit(page, selector: str):
    with page.expect_navigation():
        page.click(selector)


def drop_pin(page, x: int, y: int, comment: str):
    page.click("[data-testid=revision-image]", position={"x": x, "y": y})
    expect(page.locator("[data-testid=pin-draft]")).to_be_visible()
    page.fill("[data-testid=pin-comment]", comment)
    submit(page, "[data-testid=pin-save]")


def build_and_start_session(page, live_server, title: str, deliverables: list[Deliverable]):
    page.goto(live_server.url + reverse("reviews:list"))
    submit(page, "[data-testid=new-session]")
    page.fill("[data-testid=session-title]", title)
    for deliverable in deliverables:
        page.check(f"[data-testid=pick-{deliverable.slug}]")
    submit(page, "[data-testid=create-session]")
    expect(page.locator("[data-testid=session-item]")).to_have_count(len(deliverables))
    submit(page, "[data-testid=start-session]")
    expect(page.locator("[data-testid=position]")).to_have_text(f"Item 1 of {len(deliverables)}")


def test_review_workflow_from_first_upload_to_approval(page, live_server, login, screenshot, studio):
    producer, reviewer, hero, teaser = studio["producer"], studio["reviewer"], studio["hero"], studio["teaser"]
    hero_page = live_server.url + reverse("deliverables:detail", args=[hero.pk])
    review_page = live_server.url + reverse("reviews:annotate", args=[hero.pk])

    # The producer uploads round 1 from the deliverable page.
    sign_in_as(page, live_server, login, producer)
    page.goto(hero_page)
    form = page.locator("[data-testid=revision-upload-form]")
    form.locator("input[type=file]").set_input_files(png_file("hero-v1.png", (220, 80, 60)))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=revision-row-1]")).to_contain_text("hero-v1.png")

    # A reviewer drops two pins and resolves one; the checklist and the progress bar follow.
    sign_in_as(page, live_server, login, reviewer)
    page.goto(review_page)
    drop_pin(page, 120, 90, "Logo is too small")
    drop_pin(page, 420, 260, "Price is cut off")
    expect(page.locator("[data-testid=pin-1]")).to_be_visible()
    expect(page.locator("[data-testid=pin-2]")).to_be_visible()
    expect(page.locator("[data-testid=item-1]")).to_contain_text("Logo is too small")
    expect(page.locator("[data-testid=item-2]")).to_contain_text("Price is cut off")
    submit(page, "[data-testid=resolve-2]")
    expect(page.locator("[data-testid=progress-count]")).to_have_text("1 / 2")
    expect(page.locator("[data-testid=item-2]")).to_contain_text("Resolved")
    expect(page.locator("[data-testid=pin-2]")).to_have_class(re.compile("pin-RESOLVED"))
    screenshot(page, "review-annotation")

    # The reviewer builds a session with both deliverables and presents it, moving with the arrow keys.
    build_and_start_session(page, live_server, "Client review — round 1", [hero, teaser])
    hero.refresh_from_db()
    assert hero.status == Deliverable.Status.IN_REVIEW
    presenting = page.url
    expect(page.locator("[data-testid=present-title]")).to_have_text("Hero banner")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Teaser")
    expect(page.locator("[data-testid=position]")).to_have_text("Item 2 of 2")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Hero banner")
    expect(page.locator("[data-testid=pin-1]")).to_be_visible()
    expect(page.locator("[data-testid=checklist]")).to_contain_text("Logo is too small")
    screenshot(page, "review-presenter")

    # Approving Hero banner is refused while an action item is open; the reviewer requests changes instead.
    submit(page, "[data-testid=decide-approve]")
    expect(page.locator(".messages")).to_contain_text("round 1 still has 1 open action item")
    page.goto(presenting)
    page.fill("[data-testid=decision-form] textarea[name=notes]", "Make the logo bigger")
    submit(page, "[data-testid=decide-changes]")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Teaser")
    submit(page, "[data-testid=decide-approve]")
    submit(page, "[data-testid=complete-session]")
    expect(page.locator("[data-testid=count-approved]")).to_have_text("1")
    expect(page.locator("[data-testid=count-changes]")).to_have_text("1")
    expect(page.locator("[data-testid=count-open]")).to_have_text("1")
    expect(page.locator("[data-testid=still-open]")).to_contain_text("Logo is too small")
    screenshot(page, "review-summary")
    hero.refresh_from_db()
    teaser.refresh_from_db()
    assert hero.status == Deliverable.Status.IN_PROGRESS and hero.current_stage.name == "Amends"
    assert teaser.status == Deliverable.Status.APPROVED
    assert Notification.objects.filter(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED).exists()

    # The producer finishes the amends, uploads round 2 and sees the open item carried into it.
    sign_in_as(page, live_server, login, producer)
    page.goto(hero_page)
    page.locator("[data-testid=stage-amends] button", has_text="Mark complete").click()
    expect(page.locator("[data-testid=stage-client-review]")).to_have_class(re.compile("current"))
    page.goto(review_page)
    upload_form = page.locator("[data-testid=annotate-upload-form]")
    upload_form.locator("input[type=file]").set_input_files(png_file("hero-v2.png", (60, 120, 220)))
    with page.expect_navigation():
        upload_form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=round-2]")).to_have_attribute("aria-current", "page")
    expect(page.locator("[data-testid=carried-note]")).to_contain_text("1 open item carried forward from round 1")
    expect(page.locator("[data-testid=item-1]")).to_contain_text("Logo is too small")
    expect(page.locator("[data-testid=carried-badge]")).to_have_text("Carried from round 1")
    expect(page.locator("[data-testid=progress-count]")).to_have_text("0 / 1")

    # The reviewer resolves the carried item and approves round 2 in a second session.
    sign_in_as(page, live_server, login, reviewer)
    page.goto(review_page)
    submit(page, "[data-testid=resolve-1]")
    expect(page.locator("[data-testid=progress-count]")).to_have_text("1 / 1")
    build_and_start_session(page, live_server, "Client review — round 2", [hero])
    expect(page.locator("[data-testid=present-title]")).to_have_text("Hero banner")
    expect(page.locator("[data-testid=present-title]")).to_be_visible()
    submit(page, "[data-testid=decide-approve]")
    submit(page, "[data-testid=complete-session]")
    expect(page.locator("[data-testid=count-approved]")).to_have_text("1")
    expect(page.locator("[data-testid=count-open]")).to_have_text("0")

    # The deliverable page shows it approved.
    page.goto(hero_page)
    expect(page.locator(".page-head .badge-APPROVED")).to_have_text("Approved")
    hero.refresh_from_db()
    assert hero.status == Deliverable.Status.APPROVED
    assert FeedbackItem.objects.get(revision__round=1, body="Logo is too small").status == "CARRIED"
    assert ReviewSession.objects.filter(status=ReviewSession.Status.COMPLETED).count() == 2
