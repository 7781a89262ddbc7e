"""Each role's home page in the browser, at a desktop and a phone width: the tiles show the morning's numbers,
fit the screen, and open the filtered list behind them. Screenshots: var/screenshots/home-<role>-<width>.png."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deliverables.models import Revision
from integrations.box.models import BoxPushLog
from integrations.inbound.models import WebhookReceipt
from integrations.outbound.models import OutboundDelivery, OutboundEndpoint
from reviews.models import ReviewSession
from tests.e2e.layout import layout_problems
from tests.factories import BriefFactory, ProjectFactory, UserFactory, default_organisation, make_deliverable
from tests.homes import at_stage, two_stage_pipeline
from tracker.models import User

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def _morning() -> dict[str, User]:
    """A studio at nine in the morning: briefs waiting, deadlines, a sign-off, failures at the edges."""
    now, today = timezone.now(), timezone.localdate()
    producer = UserFactory(username="pia", first_name="Pia", last_name="Producer", role=User.Role.PRODUCER)
    reviewer = UserFactory(username="rui", first_name="Rui", last_name="Reviewer", role=User.Role.REVIEWER)
    admin = UserFactory(username="ada", first_name="Ada", last_name="Admin", role=User.Role.ADMIN)
    viewer = UserFactory(username="vic", first_name="Vic", last_name="Viewer", role=User.Role.VIEWER)
    for title, days in (("Event signage for the Paris salon", 5), ("Social cut-downs, summer range", 1),
                        ("Retail window for Lyon", 0)):  # fmt: skip
        brief = BriefFactory(title=title)
        type(brief).objects.filter(pk=brief.pk).update(created_at=now - timedelta(days=days, hours=2))
    project = ProjectFactory(name="Spring launch", owner=producer, pipeline_template=two_stage_pipeline())
    make_deliverable(project, "Hero banner 1920x1080", due_date=today, assignee=producer)
    make_deliverable(project, "Teaser cut-down", due_date=today, assignee=reviewer)
    late = make_deliverable(project, "Store poster A2", due_date=today - timedelta(days=2), assignee=producer)
    signing = [make_deliverable(project, name) for name in ("Email header", "Instagram story")]
    at_stage(signing, "sign-off")
    at_review = make_deliverable(project, "Product page hero")
    at_stage([at_review], "client-review")
    Revision.objects.create(deliverable=at_review, round=1, file="revisions/x/r1/hero.png")
    BoxPushLog.objects.create(
        push_id=uuid.uuid4(), deliverable=late, outcome=BoxPushLog.Outcome.FAILED, error="Box answered 403"
    )
    for route, outcome in ((WebhookReceipt.Route.BRIEFS, "REJECTED"), (WebhookReceipt.Route.CREATIVE_FORCE, "FAILED"),
                           (WebhookReceipt.Route.CREATIVE_FORCE, "REJECTED")):  # fmt: skip
        WebhookReceipt.objects.create(route=route, status_code=401, outcome=outcome)
    endpoint = OutboundEndpoint.objects.create(
        organisation=default_organisation(), url="https://hooks.example/tracker", secret="s"
    )
    OutboundDelivery.objects.create(
        endpoint=endpoint, event_name="deliverable.approved", message_id=f"msg_{uuid.uuid4().hex}", body="{}",
        occurred_at=now, status=OutboundDelivery.Status.FAILED,
    )  # fmt: skip
    ReviewSession.objects.create(
        organisation=default_organisation(), title="Thursday client review", presenter=reviewer
    )
    return {"producer": producer, "reviewer": reviewer, "admin": admin, "viewer": viewer}


EXPECTED = {
    "producer": {"briefs-waiting": "3", "approvals-waiting": "2", "box-failed": "1", "due-week": "2", "overdue": "1"},
    "reviewer": {"sessions-to-run": "1", "revisions-waiting": "1"},
    "admin": {"webhook-receipts": "3", "outbound-failed": "1", "box-failures": "1", "briefs-waiting": "3"},
    "viewer": {"due-week": "2", "overdue": "1"},
}


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_each_roles_home_page(page, live_server, login, screenshot, width_name):
    users = _morning()
    width, height = WIDTHS[width_name]
    page.set_viewport_size({"width": width, "height": height})
    problems = {}
    for role, expected in EXPECTED.items():
        page.context.clear_cookies()
        login(page, live_server, users[role])  # signing in lands on home
        expect(page.locator("main h1")).to_have_text("Home")
        expect(page.locator("nav.sidebar a[aria-current=page]")).to_have_text("Home")
        for key, value in expected.items():
            expect(page.get_by_test_id(f"tile-{key}-value")).to_have_text(value)
        screenshot(page, f"home-{role}-{width}")
        if found := layout_problems(page):
            problems[role] = found
    assert problems == {}


def test_a_tile_opens_its_filtered_list(page, live_server, login):
    users = _morning()
    login(page, live_server, users["producer"])
    expect(page.get_by_test_id("tile-briefs-waiting-note")).to_have_text("oldest waiting 5\xa0days")
    page.get_by_test_id("tile-approvals-waiting").click()
    expect(page.locator("main h1")).to_have_text("Deliverables")
    expect(page.locator("#id_waiting")).to_have_value("mine")
    rows = page.locator("[data-testid=deliverables-list] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Pia Producer")  # the approver: the project's owner
    page.go_back()
    page.get_by_test_id("tile-overdue").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Store poster A2")
    page.select_option("#id_due", "")  # the filters work from there on, htmx keeping the address bar
    page.select_option("#id_assigned", "me")
    expect(rows).to_have_count(2)
    assert "assigned=me" in page.url
    page.goto(live_server.url + reverse("home"))
    page.get_by_test_id("tile-box-failed").click()
    expect(page.locator("[data-testid=box-failed-table] tbody tr")).to_contain_text("Box answered 403")


def test_new_brief_and_new_project_by_hand(page, live_server, login, screenshot):
    users = _morning()
    login(page, live_server, users["producer"])
    page.goto(live_server.url + reverse("briefs:inbox"))
    page.get_by_test_id("new-brief").click()
    page.get_by_role("button", name="Add brief").click()
    expect(page.locator("#id_title_errors")).to_contain_text("required")
    page.fill("#id_title", "Pop-up stand for the Milan fair")
    page.fill("#id_requestor_name", "Giulia Rossi")
    page.select_option("#id_priority", "HIGH")
    screenshot(page, "new-brief")
    page.get_by_role("button", name="Add brief").click()
    expect(page.locator("main h1")).to_have_text("Pop-up stand for the Milan fair")
    expect(page.locator("#messages")).to_contain_text("Brief added to the inbox.")

    page.goto(live_server.url + reverse("projects:list"))
    page.get_by_test_id("new-project").click()
    page.fill("#id_name", "Milan fair stand")
    page.fill("#id_start_date", "2031-03-10")
    page.fill("#id_due_date", "2031-03-01")
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("#id_due_date_errors")).to_contain_text("before the start date")
    page.fill("#id_due_date", "2031-04-01")
    screenshot(page, "new-project")
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("main h1")).to_have_text("Milan fair stand")
    expect(page.get_by_test_id("project-fields")).to_contain_text("Pia Producer")  # the owner, prefilled
