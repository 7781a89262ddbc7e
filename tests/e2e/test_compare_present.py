"""Pictures in the browser, at a desktop and a phone width: comparing two rounds side by side and as an overlay
with the slider, and presenting a session in present mode (full screen, no sidebar) with the keys. Thumbnails are
real: the revisions are uploaded through the services and Celery (eager) makes them after each commit.
Screenshots: var/screenshots/compare-*-<width>.png, present-*-<width>.png, thumbnails-*-<width>.png."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import expect

from deliverables.models import Revision
from deliverables.services import deliverable_complete_stage
from projects.models import ApprovalType
from reviews.models import ReviewSessionItem
from reviews.services.feedback import annotation_create
from reviews.services.revisions import revision_upload
from tests.e2e.conftest import wait_until
from tests.e2e.layout import layout_problems
from tests.factories import (
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    UserFactory,
    make_deliverable,
)
from tests.reviews.helpers import running_session
from tracker.models import User

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def banner(round_: int, size=(1200, 750)) -> bytes:
    """A campaign banner as a designer would send it: round 2 has the bigger logo and the price moved in."""
    image = Image.new("RGB", size, (246, 232, 220) if round_ == 1 else (236, 240, 250))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, int(height * 0.62), width, height), fill=(36, 44, 68))
    logo = 70 if round_ == 1 else 120
    draw.ellipse((60, 50, 60 + logo, 50 + logo), fill=(200, 40, 70))
    font = ImageFont.load_default(size=72)
    small = ImageFont.load_default(size=40)
    draw.text((60, 230), "Spring glow", fill=(36, 44, 68), font=font)
    draw.text((60, 320), "New serum, now in store", fill=(90, 98, 120), font=small)
    price_x = width - 160 if round_ == 1 else width - 360  # round 1's price runs off the edge
    draw.rounded_rectangle((price_x, 520, price_x + 300, 620), radius=20, fill=(247, 201, 72))
    draw.text((price_x + 30, 535), "$29.90", fill=(36, 44, 68), font=font)
    draw.text((60, int(height * 0.70)), f"Round {round_}", fill=(255, 255, 255), font=small)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def brochure_pdf() -> bytes:
    page = Image.new("RGB", (850, 1100), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 850, 300), fill=(15, 123, 108))
    draw.text((60, 110), "Salon brochure", fill=(255, 255, 255), font=ImageFont.load_default(size=80))
    for row in range(8):
        draw.rectangle((60, 380 + row * 80, 790 - (row % 3) * 120, 410 + row * 80), fill=(210, 216, 224))
    out = io.BytesIO()
    page.save(out, "PDF")
    return out.getvalue()


@pytest.fixture
def studio(db):
    """Two deliverables waiting at Client Review (FORMAL): a banner in its second round with pins on both rounds,
    and a brochure PDF; a reviewer to present them."""
    template = PipelineTemplateFactory(name="Social")
    for order, (name, gate) in enumerate(
        [("Design", ApprovalType.NONE), ("Client Review", ApprovalType.FORMAL), ("Amends", ApprovalType.NONE)]
    ):
        PipelineStageTemplateFactory(template=template, name=name, slug=name.lower().replace(" ", "-"), order=order,
                                     approval_type=gate)  # fmt: skip
    producer = UserFactory(username="pia", first_name="Pia", last_name="Producer", role=User.Role.PRODUCER)
    reviewer = UserFactory(username="rex", first_name="Rex", last_name="Reviewer", role=User.Role.REVIEWER)
    project = ProjectFactory(name="Spring launch", pipeline_template=template, owner=producer)
    hero = make_deliverable(project, "Hero banner", assignee=producer)
    brochure = make_deliverable(project, "Salon brochure", assignee=producer)
    for deliverable in (hero, brochure):
        deliverable.refresh_from_db()
        deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)

    def upload(deliverable, name, content, note=""):
        return revision_upload(deliverable=deliverable, file=SimpleUploadedFile(name, content), note=note,
                               actor=producer)  # fmt: skip

    first = upload(hero, "hero-r1.png", banner(1))
    annotation_create(revision=first, x=0.09, y=0.1, body="Logo is too small", actor=reviewer)
    annotation_create(revision=first, x=0.93, y=0.76, body="Price is cut off", actor=reviewer)
    upload(hero, "hero-r2.png", banner(2), note="Bigger logo, price moved in")
    second = hero.revisions.get(round=2)
    annotation_create(revision=second, x=0.3, y=0.5, body="Headline a touch larger", actor=reviewer)
    upload(brochure, "brochure.pdf", brochure_pdf())
    return {"producer": producer, "reviewer": reviewer, "hero": hero, "brochure": brochure}


def at_width(page, key: str) -> None:
    width, height = WIDTHS[key]
    page.set_viewport_size({"width": width, "height": height})


def pictures_loaded(page, selector: str) -> None:
    """Every picture `selector` finds has loaded (thumbnails load lazily: each is scrolled to first)."""
    expect(page.locator(selector).first).to_be_visible()
    for picture in page.locator(selector).all():
        picture.scroll_into_view_if_needed()
    wait_until(page, "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)", selector)
    page.evaluate("window.scrollTo(0, 0)")


@pytest.mark.parametrize("key", WIDTHS)
def test_compare_two_rounds_side_by_side_and_as_an_overlay(page, live_server, login, screenshot, studio, key):
    hero = studio["hero"]
    assert set(Revision.objects.values_list("thumbnail_status", flat=True)) == {"READY"}
    at_width(page, key)
    px = WIDTHS[key][0]
    login(page, live_server, studio["reviewer"])

    # The projects list shows each project's latest revision; the deliverable page each round's.
    page.goto(live_server.url + reverse("projects:list"))
    pictures_loaded(page, "[data-testid=projects-table] img[data-testid=thumb]")
    assert layout_problems(page) == []
    screenshot(page, f"thumbnails-projects-{px}")
    page.goto(live_server.url + reverse("deliverables:detail", args=[hero.pk]))
    pictures_loaded(page, "[data-testid=revisions-panel] img[data-testid=thumb]")
    page.locator("[data-testid=revisions-panel]").scroll_into_view_if_needed()
    screenshot(page, f"thumbnails-deliverable-{px}")
    with page.expect_navigation():
        page.click("[data-testid=open-compare]")

    # Side by side: round 1 and round 2, each with its own pins (round 1's open pins carried into round 2).
    pictures_loaded(page, "[data-testid=compare-side] img")
    expect(page.locator("[data-testid=pin-a-1]")).to_be_visible()
    expect(page.locator("[data-testid=pin-a-2]")).to_be_visible()
    expect(page.locator("[data-testid=pin-b-3]")).to_be_visible()
    expect(page.locator("[data-testid=notes-b]")).to_contain_text("carried from round 1")
    a_box = page.locator("[data-testid=compare-image-a]").bounding_box()
    b_box = page.locator("[data-testid=compare-image-b]").bounding_box()
    if key == "desktop":
        assert a_box["x"] + a_box["width"] <= b_box["x"] and abs(a_box["y"] - b_box["y"]) < 2  # beside each other
    else:
        assert a_box["y"] + a_box["height"] <= b_box["y"]  # stacked on a phone
    assert layout_problems(page) == []
    screenshot(page, f"compare-side-{px}")

    # Overlay, from the keyboard: Tab to the mode link, then the slider's keys move the divider.
    page.focus("[data-testid=mode-overlay]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pictures_loaded(page, "[data-testid=compare-overlay] img")
    frame = page.locator("[data-compare-frame]")
    reveal = lambda: frame.evaluate("f => getComputedStyle(f).getPropertyValue('--reveal').trim()")  # noqa: E731
    assert reveal() == "50%"
    slider = page.locator("[data-testid=compare-slider]")
    slider.focus()
    page.keyboard.press("End")
    assert reveal() == "100%"
    page.keyboard.press("Home")
    assert reveal() == "0%"
    for _ in range(35):
        page.keyboard.press("ArrowRight")
    assert reveal() == "35%"
    # Round A lies over round B in B's frame, cut at the divider; each round's pins move with its picture.
    over = page.locator("[data-testid=compare-over]").bounding_box()
    under = page.locator("[data-testid=compare-image-b]").bounding_box()
    assert abs(over["width"] - under["width"]) < 1 and abs(over["height"] - under["height"]) < 1
    assert "inset(0px 65%" in page.locator("[data-testid=compare-over]").evaluate("e => getComputedStyle(e).clipPath")
    expect(page.locator("[data-testid=pin-b-3]")).to_be_visible()
    assert layout_problems(page) == []
    screenshot(page, f"compare-overlay-{px}")

    # The round pickers: choose round 2 against itself, and the page says so.
    page.select_option("[data-testid=pick-a]", "2")
    page.focus("[data-testid=compare-go]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[data-testid=same-round]")).to_contain_text("pick two different rounds")


@pytest.mark.parametrize("key", WIDTHS)
def test_present_mode_full_screen_with_keys_to_move_and_decide(page, live_server, login, screenshot, studio, key):
    hero, brochure, reviewer = studio["hero"], studio["brochure"], studio["reviewer"]
    session = running_session([hero, brochure], reviewer, title="Thursday client review")
    at_width(page, key)
    px = WIDTHS[key][0]
    login(page, live_server, reviewer)
    page.goto(live_server.url + reverse("reviews:present", args=[session.pk]))
    pictures_loaded(page, "[data-testid=item-strip] img[data-testid=thumb]")
    expect(page.locator(".sidebar")).to_be_visible()

    # "Present full screen": the browser's full screen, and the layout without the sidebar.
    page.click("[data-testid=enter-present]")
    expect(page.locator("[data-testid=present][data-full]")).to_be_visible()
    expect(page.locator(".sidebar")).to_have_count(0)
    wait_until(page, "document.fullscreenElement !== null")
    expect(page.locator("[data-testid=fullscreen]")).to_be_hidden()  # only offered when not full screen yet
    assert "full=1" in page.url
    expect(page.locator("[data-testid=present-title]")).to_have_text("Hero banner")
    assert layout_problems(page) == []
    screenshot(page, f"present-full-{px}")

    # Arrow keys move between items without leaving the full screen (the page is swapped in place).
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Salon brochure")
    expect(page.locator("[data-testid=position]")).to_have_text("Item 2 of 2")
    pictures_loaded(page, "[data-testid=revision-page]")  # the PDF's first page
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Hero banner")
    assert page.evaluate("document.fullscreenElement !== null")

    # Decide with the keys: N for the notes, Tab out of them, C requests changes and moves to the next item.
    page.keyboard.press("n")
    page.keyboard.type("Make the logo bigger still")
    page.keyboard.press("Tab")
    page.keyboard.press("c")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Salon brochure")
    expect(page.locator(".messages")).to_contain_text("Hero banner: changes requested.")
    assert "full=1" in page.url and page.evaluate("document.fullscreenElement !== null")
    # R opens the rejection's confirmation rather than rejecting at once; A approves.
    page.keyboard.press("r")
    expect(page.locator("[data-testid=decide-reject-confirm]")).to_be_focused()
    page.locator("[data-reject] summary").click()
    page.keyboard.press("a")
    expect(page.locator("[data-testid=decision-panel]")).to_contain_text("Approved")
    decisions = dict(session.items.values_list("deliverable__name", "decision"))
    assert decisions == {"Hero banner": ReviewSessionItem.Decision.CHANGES_REQUESTED,
                         "Salon brochure": ReviewSessionItem.Decision.APPROVED}  # fmt: skip
    screenshot(page, f"present-decided-{px}")

    # Esc leaves present mode: out of the full screen, back to the page with the sidebar, on the same item.
    page.keyboard.press("Escape")
    expect(page.locator(".sidebar")).to_be_visible()
    expect(page.locator("[data-testid=present][data-full]")).to_have_count(0)
    wait_until(page, "document.fullscreenElement === null")
    expect(page.locator("[data-testid=present-title]")).to_have_text("Salon brochure")
    assert "full=1" not in page.url
