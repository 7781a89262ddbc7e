"""A producer's day in the browser: inbox, triage, promotion, deliverables and their stage gates."""

import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from briefs.models import Brief
from deliverables.models import Stage
from projects.models import Project
from tests.factories import BriefFactory, ClientTeamFactory, ProjectFactory, UserFactory, advance_to, make_deliverable
from tracker.models import ClientTeam, Notification, User
from tracker.services import notification_create


def _producer():
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", role=User.Role.PRODUCER)


def _inbox_data():
    now = timezone.now()
    brand = ClientTeam.objects.get(slug="brand")
    events = ClientTeam.objects.get(slug="events")
    BriefFactory(
        title="Spring hero banners for the Revitalift launch",
        client_team=brand,
        priority="URGENT",
        source="webhook:mkto",
        requested_due_date=now + timezone.timedelta(days=3),
        requestor_name="Alex Smith",
    )
    BriefFactory(
        title="Event signage for the Paris salon",
        client_team=events,
        priority="HIGH",
        source="rest",
        requested_due_date=now + timezone.timedelta(days=10),
        requestor_name="Marie Dubois",
    )
    BriefFactory(
        title="Social cut-downs, summer range",
        client_team=brand,
        priority="MEDIUM",
        source="ui",
        requestor_name="Sam Lee",
    )
    BriefFactory(title="Old request", status=Brief.Status.REJECTED, rejection_reason="Duplicate of another brief")


def test_producer_filters_the_inbox(page, live_server, login, screenshot):
    _inbox_data()
    producer = _producer()
    notification_create(recipient=producer, kind=Notification.Kind.REVIEW_REQUESTED, title="Review requested")
    login(page, live_server, producer)
    page.get_by_role("link", name="Briefs").first.click()
    expect(page.get_by_test_id("pending-briefs-count")).to_have_text("3")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    rows = page.locator("[data-testid=briefs-table] tbody tr")
    expect(rows).to_have_count(3)

    page.select_option("#id_client_team", label="Brand")
    expect(rows).to_have_count(2)
    page.select_option("#id_priority", "URGENT")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Spring hero banners")
    assert "priority=URGENT" in page.url  # htmx keeps the filters in the address bar
    screenshot(page, "inbox-filtered")

    page.goto(live_server.url + reverse("briefs:inbox"))
    page.fill("#id_q", "Paris")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Event signage")
    page.goto(live_server.url + reverse("briefs:inbox") + "?sort=due")
    expect(rows.first).to_contain_text("Spring hero banners")
    screenshot(page, "inbox")

    page.get_by_test_id("tab-rejected").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Duplicate of another brief")


def test_brief_description_is_rendered_and_no_script_runs(page, live_server, login, screenshot):
    brief = BriefFactory(
        title="Autumn catalogue retouching",
        description=(
            "## What we need\n\n* 40 product shots, **clipped**\n* Two hero images\n\n"
            "See the [guidelines](https://brand.example/guidelines).\n\n"
            "<script>alert('script')</script>\n\n<img src=x onerror=\"alert('onerror')\">"
        ),
        raw_payload={"brief": {"id": "MKTO-991", "channel": "print"}},
        client_team=ClientTeam.objects.get(slug="brand"),
        priority="HIGH",
    )
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("briefs:detail", args=[brief.pk]))
    description = page.get_by_test_id("brief-description")
    expect(description.locator("h2")).to_have_text("What we need")
    expect(description.locator("a")).to_have_attribute("rel", "noopener noreferrer")
    assert description.locator("script").count() == 0
    assert "onerror" not in description.inner_html()
    expect(page.get_by_test_id("raw-payload")).to_contain_text("MKTO-991")
    page.wait_for_timeout(300)
    assert page.dialogs == []
    screenshot(page, "brief-detail")


def test_producer_promotes_a_brief_to_a_project(page, live_server, login, screenshot):
    brief = BriefFactory(
        title="Spring hero banners",
        client_team=ClientTeam.objects.get(slug="brand"),
        priority="URGENT",
        requestor_name="Alex Smith",
        requestor_email="alex.smith@client.example",
        requested_due_date=timezone.make_aware(timezone.datetime(2031, 4, 30, 12)),
    )
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("briefs:detail", args=[brief.pk]))
    page.get_by_role("link", name="Promote to project").click()
    expect(page.locator("#id_name")).to_have_value("Spring hero banners")
    expect(page.locator("#id_priority")).to_have_value("URGENT")
    expect(page.locator("#id_due_date")).to_have_value("2031-04-30")
    expect(page.locator("#id_requestor")).to_have_value("Alex Smith <alex.smith@client.example>")
    expect(page.locator("#id_client_team option:checked")).to_have_text("Brand")
    page.fill("#id_omg_job_number", "OMG-2031-001")
    screenshot(page, "promote-form")
    page.get_by_role("button", name="Create project").click()

    expect(page.locator("h1")).to_have_text("Spring hero banners")
    project = Project.objects.get(omg_job_number="OMG-2031-001")
    assert page.url.endswith(reverse("projects:detail", args=[project.pk]))
    expect(page.get_by_test_id("source-brief")).to_contain_text("Spring hero banners")
    brief.refresh_from_db()
    assert brief.status == Brief.Status.ACCEPTED and brief.converted_project == project
    screenshot(page, "project-promoted")

    # Promoting again (an old tab, a double click) never makes a second project.
    page.goto(live_server.url + reverse("briefs:promote", args=[brief.pk]))
    expect(page.get_by_test_id("already-promoted")).to_contain_text("already promoted")
    expect(page.get_by_role("button", name="Create project")).to_be_disabled()
    assert Project.objects.filter(source=f"brief:{brief.pk}").count() == 1


def test_producer_rejects_and_reopens_a_brief(page, live_server, login):
    brief = BriefFactory(title="Not for us")
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("briefs:detail", args=[brief.pk]))
    page.locator("summary", has_text="Reject").click()
    page.get_by_role("button", name="Reject brief").click()
    expect(page.locator("#id_reason_errors")).to_be_visible()  # htmx swapped the error in place
    page.fill("#id_reason", "Handled by the agency")
    page.get_by_role("button", name="Reject brief").click()
    expect(page.locator("#triage")).to_contain_text("Reopen")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("link", name="Promote to project")).to_be_visible()
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING


def test_producer_adds_a_deliverable(page, live_server, login, screenshot):
    project = ProjectFactory(
        name="Revitalift launch", omg_job_number="OMG-7001", client_team=ClientTeam.objects.get(slug="brand")
    )
    existing = make_deliverable(project, "Hero banner 1920x600", due_date=timezone.localdate())
    advance_to(existing, "design", None)
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("projects:detail", args=[project.pk]))
    expect(page.get_by_test_id("deliverables-table")).to_contain_text("4/11 · Design")
    page.locator("#add-deliverable summary").click()
    page.get_by_test_id("add-deliverable-form").get_by_role("button", name="Add deliverable").click()
    expect(page.locator("#id_name_errors")).to_be_visible()
    page.fill("#id_name", "Instagram story 1080x1920")
    page.select_option("#id_priority", "HIGH")
    page.fill("#id_due_date", "2031-05-02")
    page.get_by_test_id("add-deliverable-form").get_by_role("button", name="Add deliverable").click()
    rows = page.locator("[data-testid=deliverables-table] tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("deliverables-table")).to_contain_text("0/11 · Pipeline")
    assert project.deliverables.get(name="Instagram story 1080x1920").stages.count() == 11
    screenshot(page, "project-detail")


def test_producer_completes_a_none_stage_and_approves_a_simple_one(page, live_server, login, screenshot):
    producer = _producer()
    deliverable = make_deliverable(ProjectFactory(name="Revitalift launch"), "Hero banner")
    deliverable = advance_to(deliverable, "design", producer)
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("deliverables:detail", args=[deliverable.pk]))

    design = page.get_by_test_id("stage-design")
    expect(design).to_have_class(re.compile("current"))
    design.get_by_role("button", name="Mark complete").click()
    internal = page.get_by_test_id("stage-internal-review")
    expect(internal).to_have_class(re.compile("current"))
    expect(design.locator(".badge")).to_have_text("Done")
    expect(internal.get_by_role("button", name="Mark complete")).to_have_count(0)
    screenshot(page, "deliverable-simple-stage")

    internal.get_by_role("button", name="Approve").click()
    client_review = page.get_by_test_id("stage-client-review")
    expect(client_review).to_have_class(re.compile("current"))
    expect(internal).to_contain_text("Priya Shah")
    stage = deliverable.stages.get(slug="internal-review")
    assert stage.status == Stage.Status.DONE and stage.completed_by == producer and stage.completed_at

    # FORMAL: a link to its review panel, never a complete or approve button.
    expect(client_review.get_by_role("button")).to_have_count(0)
    expect(client_review.get_by_test_id("review-panel-link")).to_have_attribute(
        "href",
        reverse("reviews:stage_panel", args=[deliverable.pk, stage.deliverable.stages.get(slug="client-review").pk]),
    )
    expect(page.get_by_test_id("stage-progress")).to_contain_text("6/11 · Client Review")
    screenshot(page, "deliverable-formal-stage")


def test_every_flow_works_without_javascript(browser, live_server, login, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        brief = BriefFactory(title="No-JS brief", priority="LOW")
        login(page, live_server, _producer())
        page.goto(live_server.url + reverse("briefs:promote", args=[brief.pk]))
        page.get_by_role("button", name="Create project").click()
        expect(page.locator("h1")).to_have_text("No-JS brief")
        page.locator("#add-deliverable summary").click()  # <details> opens without JavaScript
        page.fill("#id_name", "Plain form deliverable")
        page.get_by_test_id("add-deliverable-form").get_by_role("button", name="Add deliverable").click()
        page.get_by_role("link", name="Plain form deliverable").click()
        page.get_by_test_id("stage-pipeline").get_by_role("button", name="Mark complete").click()
        expect(page.get_by_test_id("stage-new")).to_have_class(re.compile("current"))
        expect(page.locator(".messages")).to_contain_text("Pipeline marked complete.")
        screenshot(page, "no-js-stage-complete")
    finally:
        context.close()


def test_viewer_finds_no_action_buttons(page, live_server, login, screenshot):
    viewer = UserFactory(username="vic", role=User.Role.VIEWER)
    brief = BriefFactory(title="Read-only brief")
    project = ProjectFactory(name="Read-only project")
    deliverable = make_deliverable(project, "Read-only deliverable")
    deliverable = advance_to(deliverable, "internal-review", None)
    login(page, live_server, viewer)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)

    page.goto(live_server.url + reverse("briefs:detail", args=[brief.pk]))
    expect(page.get_by_test_id("triage")).to_contain_text("triage is for producers and admins")
    expect(page.get_by_role("link", name="Promote to project")).to_have_count(0)
    expect(page.locator("main button")).to_have_count(0)

    page.goto(live_server.url + reverse("projects:detail", args=[project.pk]))
    expect(page.get_by_role("link", name="Edit project")).to_have_count(0)
    expect(page.locator("main button, main summary")).to_have_count(0)

    page.goto(live_server.url + reverse("deliverables:detail", args=[deliverable.pk]))
    expect(page.get_by_test_id("stages-table")).to_be_visible()
    expect(page.locator("main button, main summary")).to_have_count(0)
    screenshot(page, "viewer-deliverable")

    # Posting directly is refused on the server too.
    response = page.request.post(live_server.url + reverse("briefs:reject", args=[brief.pk]), form={"reason": "no"})
    assert response.status in (403,)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING


def test_projects_list_filters(page, live_server, login, screenshot):
    today = timezone.localdate()
    brand = ClientTeam.objects.get(slug="brand")
    ProjectFactory(name="Revitalift launch", client_team=brand, priority="URGENT", due_date=today)
    ProjectFactory(name="Paris salon", client_team=ClientTeam.objects.get(slug="events"), status="ON_HOLD")
    ProjectFactory(name="Late summer range", due_date=today - timezone.timedelta(days=3), priority="HIGH")
    team = ClientTeamFactory(name="Retail")
    ProjectFactory(name="Store windows", client_team=team, omg_job_number="OMG-8080")
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("projects:list"))
    rows = page.locator("[data-testid=projects-table] tbody tr")
    expect(rows).to_have_count(4)
    screenshot(page, "projects-list")
    page.select_option("#id_due", "overdue")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Late summer range")
    page.goto(live_server.url + reverse("projects:list") + "?q=OMG-8080")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Store windows")
