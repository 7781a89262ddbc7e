"""What a studio trips over on day one, each proved in the browser: the inbox's Back button, banners that pile up,
the settings sidebar, the empty filter result, overdue requests."""

import re
from datetime import date

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import PipelineTemplate, Project
from tests.factories import BriefFactory, ProjectFactory, UserFactory, make_deliverable
from tests.reviews.helpers import restore_defaults
from tracker.models import User


def _producer():
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", role=User.Role.PRODUCER)


def test_back_from_a_brief_shows_the_whole_filtered_inbox(page, live_server, login):
    BriefFactory(title="Event signage for the Paris salon")
    BriefFactory(title="Social cut-downs, summer range")
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("briefs:inbox"))
    page.fill("#id_q", "Paris")
    expect(page.locator("[data-testid=briefs-table] tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Paris"))
    page.get_by_role("link", name="Event signage for the Paris salon").click()
    expect(page.locator("h1")).to_contain_text("Event signage")
    page.go_back()
    expect(page.locator("nav.sidebar")).to_be_visible()
    expect(page.locator("#inbox-filters")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Briefs")
    # The answer at the pushed URL is the whole page whoever asks, and says caches must tell the two requests apart.
    url = live_server.url + reverse("briefs:inbox") + "?q=Paris"
    response = page.request.get(url, headers={"HX-Request": "true", "HX-Target": "inbox-results"})
    assert "<html" in response.text() and "HX-Request" in response.headers.get("vary", "")


def test_banners_do_not_pile_up(page, live_server, login):
    restore_defaults()
    project = ProjectFactory(name="Spring launch")
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("projects:detail", args=[project.pk]))
    banners = page.locator("#messages .msg")
    for name in ("Deliverable A", "Deliverable B"):
        page.locator("#add-deliverable > summary").click()
        page.fill("[data-testid=add-deliverable-form] #id_name", name)
        page.get_by_role("button", name="Add deliverable", exact=True).click()
        expect(banners).to_have_count(1)
        expect(banners).to_have_text(f"Deliverable “{name}” added.")
    page.get_by_role("link", name="Deliverable A").click()
    expect(page.locator("h1")).to_contain_text("Deliverable A")
    expect(page.locator("#messages .msg")).to_have_count(0)


def test_pipeline_created_banner_goes_with_the_next_edit(page, live_server, login):
    admin = UserFactory(username="ada", role=User.Role.ADMIN, is_staff=True)
    login(page, live_server, admin)
    page.goto(live_server.url + reverse("projects:pipelines"))
    page.fill("#id_name", "Social media")
    page.get_by_role("button", name="Create pipeline").click()
    expect(page.locator("#messages")).to_contain_text("created")
    page.fill("[data-testid=stage-add-form] #id_name", "Legal check")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_test_id("pipeline-stage-legal-check")).to_be_visible()
    expect(page.locator("#messages")).not_to_contain_text("created")


def test_settings_pages_light_up_settings_only(page, live_server, login):
    admin = UserFactory(username="ada", role=User.Role.ADMIN, is_staff=True)
    login(page, live_server, admin)
    page.goto(live_server.url + reverse("projects:pipelines"))
    current = page.locator("nav.sidebar .nav > li > a[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("Settings")
    page.goto(live_server.url + reverse("projects:list"))
    expect(current).to_have_count(1)
    expect(current).to_have_text("Projects")


def test_an_empty_filter_result_offers_to_clear_the_filters(page, live_server, login):
    BriefFactory(title="Event signage for the Paris salon")
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("briefs:inbox"))
    page.fill("#id_q", "nothing like this")
    expect(page.locator(".empty")).to_contain_text("No briefs match")
    page.get_by_test_id("clear-filters").click()
    expect(page.locator("[data-testid=briefs-table] tbody tr")).to_have_count(1)
    expect(page.locator("#id_q")).to_have_value("")


def test_overdue_requested_dates_are_flagged_in_the_inbox(page, live_server, login):
    now = timezone.now()
    BriefFactory(title="Late one", requested_due_date=now - timezone.timedelta(days=2))
    BriefFactory(title="Early one", requested_due_date=now + timezone.timedelta(days=5))
    login(page, live_server, _producer())
    page.goto(live_server.url + reverse("briefs:inbox"))
    overdue = page.get_by_test_id("overdue")
    expect(overdue).to_have_count(1)
    expect(page.locator("tr", has=overdue)).to_contain_text("Late one")


def test_a_project_due_before_it_starts_is_refused_and_a_late_deliverable_flagged(page, live_server, login):
    restore_defaults()
    producer = _producer()
    project = ProjectFactory(name="Spring launch", due_date=date(2026, 6, 30))
    late = make_deliverable(project, "Late poster", due_date=date(2026, 7, 15))
    make_deliverable(project, "On-time banner", due_date=date(2026, 6, 20))
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("projects:edit", args=[project.pk]))
    page.fill("#id_start_date", "2026-06-10")
    page.fill("#id_due_date", "2026-06-01")
    page.get_by_role("button", name="Save project").click()
    expect(page.locator(".field.has-error")).to_contain_text("is before the start date")
    project.refresh_from_db()
    assert project.due_date == date(2026, 6, 30)

    page.goto(live_server.url + reverse("projects:detail", args=[project.pk]))
    flagged = page.get_by_test_id("due-after-project")
    expect(flagged).to_have_count(1)
    expect(page.locator("tr", has=flagged)).to_contain_text("Late poster")
    page.goto(live_server.url + reverse("deliverables:detail", args=[late.pk]))
    expect(page.get_by_test_id("due-after-project")).to_be_visible()


def test_the_pipeline_editor_keeps_names_unique_and_completed_last(page, live_server, login):
    restore_defaults()
    admin = UserFactory(username="ada", role=User.Role.ADMIN, is_staff=True)
    implicit = ProjectFactory(name="Old project")
    Project.objects.filter(pk=implicit.pk).update(pipeline_template=None)  # made before pipelines were recorded
    ProjectFactory(name="New project")
    login(page, live_server, admin)
    page.goto(live_server.url + reverse("projects:pipelines"))
    standard = page.locator("tr", has_text="Standard")
    expect(standard.locator("td").nth(2)).to_have_text("2")  # both projects use it, one without naming it

    page.get_by_role("link", name="Standard").click()
    page.fill("[data-testid=stage-add-form] #id_name", "design")
    page.get_by_role("button", name="Add stage").click()
    expect(page.locator("[data-testid=stage-add-form]")).to_contain_text("already has a stage named 'design'")
    page.fill("[data-testid=stage-add-form] #id_name", "Legal check")
    page.get_by_role("button", name="Add stage").click()
    rows = page.locator("[data-testid=pipeline-stages-table] tbody tr")
    expect(rows.last).to_contain_text("Completed")
    expect(rows.nth(-2)).to_contain_text("Legal check")

    # The forms offer each pipeline once: the default is marked, not listed twice.
    page.goto(live_server.url + reverse("projects:edit", args=[implicit.pk]))
    options = page.locator("#id_pipeline_template option")
    expect(options).to_have_text(["Standard (default)"])
    expect(page.locator("#id_pipeline_template")).to_have_value(str(PipelineTemplate.objects.get(is_default=True).pk))


def test_promoting_a_brief_gives_the_project_its_owner_and_description(page, live_server, login):
    restore_defaults()
    brief = BriefFactory(title="Summer lookbook", description="Twelve looks, **two** hero shots.")
    producer = _producer()
    login(page, live_server, producer)
    page.goto(live_server.url + reverse("briefs:promote", args=[brief.pk]))
    expect(page.locator("#id_description")).to_have_value("Twelve looks, **two** hero shots.")
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("h1")).to_contain_text("Summer lookbook")
    expect(page.locator(".markdown")).to_contain_text("Twelve looks, two hero shots.")
    project = Project.objects.get(name="Summer lookbook")
    assert project.owner == producer and project.description == brief.description
    expect(page.locator("main")).to_contain_text("Priya Shah")
