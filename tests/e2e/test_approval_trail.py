"""The deliverable page never shows stale state: after each action the badge, the status control, the stages and
the history all read the new state, with JavaScript and without."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tracker.models import User


def _producer():
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", role=User.Role.PRODUCER)


def _badge(page):
    return page.get_by_test_id("status-badge")


def test_marking_a_stage_complete_updates_the_badge_and_the_history(page, live_server, login, screenshot):
    producer = _producer()
    deliverable = make_deliverable(ProjectFactory(name="Revitalift launch"), "Hero banner")
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("deliverables:detail", args=[deliverable.pk]))
    expect(_badge(page)).to_have_text("Not started")
    expect(page.get_by_test_id("history")).to_contain_text("Nothing has happened")

    page.get_by_test_id("stage-pipeline").get_by_role("button", name="Mark complete").click()
    expect(_badge(page)).to_have_text("In progress")
    expect(page.get_by_test_id("stage-new")).to_have_class(re.compile("current"))
    expect(page.get_by_test_id("history-step").first).to_contain_text("Stage completed · Pipeline")
    expect(page.get_by_test_id("history-step").first).to_contain_text("Priya Shah")
    expect(page.locator(".messages")).to_have_count(1)  # the htmx answer's banner, not a pile

    # Undo it: the reopen asks first, then the badge and the stage go back.
    page.get_by_test_id("reopen-pipeline").locator("summary").click()
    screenshot(page, "deliverable-reopen-confirm")
    page.get_by_test_id("reopen-confirm").click()
    expect(_badge(page)).to_have_text("Not started")
    expect(page.get_by_test_id("stage-pipeline")).to_have_class(re.compile("current"))
    expect(page.get_by_test_id("history-step")).to_have_count(2)


def test_hold_freezes_the_stages_and_release_brings_them_back(page, live_server, login, screenshot):
    producer = _producer()
    deliverable = make_deliverable(ProjectFactory(name="Revitalift launch"), "Hero banner")
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("deliverables:detail", args=[deliverable.pk]))

    page.get_by_test_id("hold-open").click()
    page.fill("#hold-note", "Client paused the campaign")
    page.get_by_test_id("hold").click()
    expect(_badge(page)).to_have_text("On hold")
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)
    expect(page.get_by_test_id("history")).to_contain_text("Client paused the campaign")
    screenshot(page, "deliverable-on-hold")

    page.get_by_test_id("release").click()
    expect(_badge(page)).to_have_text("Not started")
    expect(page.get_by_test_id("stage-pipeline").get_by_role("button", name="Mark complete")).to_have_count(1)


def test_the_page_reads_the_new_state_without_javascript(browser, live_server, login, screenshot):
    deliverable = make_deliverable(ProjectFactory(name="Revitalift launch"), "Hero banner")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server, _producer())
        page.goto(live_server.url + reverse("deliverables:detail", args=[deliverable.pk]))
        page.get_by_test_id("stage-pipeline").get_by_role("button", name="Mark complete").click()
        expect(_badge(page)).to_have_text("In progress")
        page.get_by_test_id("hold-open").click()  # <details> opens without JavaScript
        page.get_by_test_id("hold").click()
        expect(_badge(page)).to_have_text("On hold")
        page.get_by_test_id("release").click()
        expect(_badge(page)).to_have_text("In progress")
        expect(page.get_by_test_id("history-step")).to_have_count(3)
        screenshot(page, "no-js-deliverable-history")
    finally:
        context.close()
