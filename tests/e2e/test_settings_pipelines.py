"""The pipeline editor in the browser: an admin builds a pipeline; producers never see the page."""

from django.urls import reverse
from playwright.sync_api import expect

from projects.models import PipelineTemplate
from tests.e2e.conftest import wait_until
from tests.factories import UserFactory
from tracker.models import Notification, User
from tracker.services import notification_create


def test_admin_builds_a_pipeline_and_makes_it_default(page, live_server, login, screenshot):
    admin = UserFactory(username="ada", role=User.Role.ADMIN, is_staff=True)
    login(page, live_server, admin)
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("h1")).to_have_text("Pipelines")
    page.fill("#id_name", "Social media")
    page.select_option("#id_copy_from", label="Standard")
    page.get_by_role("button", name="Create pipeline").click()
    expect(page.locator("h1")).to_contain_text("Social media")
    rows = page.locator("[data-testid=pipeline-stages-table] tbody tr")
    expect(rows).to_have_count(11)

    # Add a stage with a SIMPLE gate (htmx swaps the table in place).
    page.fill("[data-testid=stage-add-form] #id_name", "Legal check")
    page.select_option("[data-testid=stage-add-form] #id_approval_type", "SIMPLE")
    page.get_by_role("button", name="Add stage").click()
    expect(rows).to_have_count(12)
    legal = page.get_by_test_id("pipeline-stage-legal-check")
    expect(legal.locator("select")).to_have_value("SIMPLE")

    # A new stage lands before Completed; move it up above Delivery, then make it FORMAL.
    expect(rows.nth(10)).to_contain_text("Legal check")
    expect(rows.nth(11)).to_contain_text("Completed")
    legal.get_by_role("button", name="Move Legal check up").click()
    expect(rows.nth(9)).to_contain_text("Legal check")
    # htmx binds the swapped-in row's change trigger once it settles; changing the select before then is lost.
    wait_until(page, "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")
    with page.expect_response(lambda response: "/approval/" in response.url):
        legal.locator("select").select_option("FORMAL")
    expect(page.get_by_test_id("pipeline-stage-legal-check").locator("select")).to_have_value("FORMAL")

    # Remove the Amends stage (a confirm dialog asks first).
    page.accept_dialogs = True
    page.get_by_role("button", name="Remove Amends").click()
    expect(rows).to_have_count(11)
    expect(page.get_by_test_id("pipeline-stage-amends")).to_have_count(0)
    assert page.dialogs == ["Remove the stage “Amends” from this pipeline?"]

    page.fill("[data-testid=pipeline-rename-form] #id_name", "Social & video")
    page.get_by_test_id("pipeline-rename-form").get_by_role("button", name="Rename").click()
    expect(page.locator("h1")).to_contain_text("Social & video")
    page.get_by_role("button", name="Make default").click()
    expect(page.locator(".messages")).to_contain_text("is now the default pipeline")

    template = PipelineTemplate.objects.get(name="Social & video")
    assert template.is_default
    stages = list(template.stages.order_by("order").values_list("slug", "approval_type"))
    assert ("legal-check", "FORMAL") in stages and stages[-1][0] == "completed"
    assert "amends" not in [slug for slug, _ in stages]
    page.goto(live_server.url + reverse("projects:pipeline_detail", args=[template.pk]))
    screenshot(page, "settings-pipeline-editor")
    page.goto(live_server.url + reverse("projects:pipelines"))
    screenshot(page, "settings-pipelines")


def test_producer_has_no_settings(page, live_server, login, screenshot):
    producer = UserFactory(username="priya", role=User.Role.PRODUCER)
    notification_create(
        recipient=producer, kind=Notification.Kind.REVIEW_REQUESTED, title="Review requested: Hero banner, round 2"
    )
    notification_create(
        recipient=producer, kind=Notification.Kind.BOX_UNMATCHED_FILE, title="A file in Box matched no deliverable"
    )
    login(page, live_server, producer)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    response = page.goto(live_server.url + reverse("projects:pipelines"))
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("403")

    page.goto(live_server.url + reverse("briefs:inbox"))
    page.get_by_role("link", name="Notifications").click()
    items = page.locator(".notifications li")
    expect(items).to_have_count(2)
    screenshot(page, "notifications")
    items.first.get_by_role("button", name="Mark read").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
