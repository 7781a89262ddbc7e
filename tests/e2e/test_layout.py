"""Every main page at a desktop, a tablet and a phone width: one column on the narrow ones, nothing scrolls
sideways, titles readable, every action reachable. Screenshots go to var/screenshots/layout-<page>-<width>.png."""

import pytest
from django.urls import reverse
from django.utils import timezone

from deliverables.services import deliverable_complete_stage
from projects.models import ApprovalType
from reviews.services.sessions import review_session_create, review_session_start
from tests.e2e.layout import WIDTHS, layout_problems
from tests.factories import (
    BriefFactory,
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    UserFactory,
    make_deliverable,
)
from tests.reviews.files import upload
from tests.reviews.helpers import pin, restore_defaults
from tracker.models import ClientTeam, Notification, User
from tracker.services import notification_create


def _studio():
    restore_defaults()
    now = timezone.now()
    brand = ClientTeam.objects.get(slug="brand")
    BriefFactory(
        title="Spring hero banners for the Revitalift launch, every market and every size",
        client_team=brand,
        priority="URGENT",
        source="webhook:mkto",
        requested_due_date=now + timezone.timedelta(days=3),
        requestor_name="Alex Smith",
    )
    BriefFactory(title="Event signage for the Paris salon", priority="HIGH", requestor_name="Marie Dubois")
    template = PipelineTemplateFactory(name="Social")
    for order, (name, slug, gate) in enumerate(
        [
            ("Design", "design", ApprovalType.NONE),
            ("Internal Review", "internal-review", ApprovalType.SIMPLE),
            ("Client Review", "client-review", ApprovalType.FORMAL),
            ("Delivery", "delivery", ApprovalType.NONE),
        ]
    ):
        PipelineStageTemplateFactory(template=template, name=name, slug=slug, order=order, approval_type=gate)
    producer = UserFactory(username="pia", first_name="Pia", last_name="Producer", role=User.Role.PRODUCER)
    project = ProjectFactory(
        name="Spring launch across every market", pipeline_template=template, owner=producer,
        due_date=(now + timezone.timedelta(days=20)).date(),
    )  # fmt: skip
    hero = make_deliverable(project, "Hero banner 1920x1080", assignee=producer)
    make_deliverable(project, "Teaser cut-down", assignee=producer)
    hero.refresh_from_db()
    deliverable_complete_stage(deliverable=hero, stage=hero.current_stage, actor=producer)
    from deliverables.services import deliverable_approve_stage

    hero.refresh_from_db()
    deliverable_approve_stage(deliverable=hero, stage=hero.current_stage, actor=producer)
    from reviews.services.revisions import revision_upload

    revision_upload(deliverable=hero, file=upload(), actor=producer)
    pin(hero, producer, body="Logo too small on the left")
    session = review_session_create(title="Thursday client review", actor=producer, deliverables=[hero])
    review_session_start(session=session, actor=producer)
    notification_create(
        recipient=producer, kind=Notification.Kind.REVIEW_REQUESTED, title="Review requested: Hero banner 1920x1080"
    )
    return {"producer": producer, "project": project, "hero": hero, "session": session}


def _pages(studio) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "inbox": reverse("briefs:inbox"),
        "new-brief": reverse("briefs:new"),
        "new-project": reverse("projects:new"),
        "deliverables": reverse("deliverables:list"),
        "projects": reverse("projects:list"),
        "project": reverse("projects:detail", args=[studio["project"].pk]),
        "deliverable": reverse("deliverables:detail", args=[studio["hero"].pk]),
        "annotate": reverse("reviews:annotate", args=[studio["hero"].pk]),
        "presenter": reverse("reviews:present", args=[studio["session"].pk]),
        "notifications": reverse("notifications"),
        "email-preferences": reverse("notification_preferences"),
    }


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_page_fits_its_width(page, live_server, login, screenshot, width_name):
    studio = _studio()
    width, height = WIDTHS[width_name]
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, studio["producer"])
    found = {}
    for name, path in _pages(studio).items():
        page.goto(live_server.url + path)
        screenshot(page, f"layout-{name}-{width}")
        problems = layout_problems(page)
        if problems:
            found[name] = problems
    assert found == {}


def test_the_sidebar_becomes_a_top_bar_on_a_phone(page, live_server, login):
    studio = _studio()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, studio["producer"])
    page.goto(live_server.url + reverse("briefs:inbox"))
    nav = page.locator("nav.sidebar").bounding_box()
    title = page.locator("main h1").bounding_box()
    assert nav["width"] >= 380 and title["y"] > nav["y"] + nav["height"] - 1  # above the content, not beside it
    assert title["x"] < 40


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_the_admin_settings_pages_fit_their_width(page, live_server, login, screenshot, width_name):
    """Settings → Users and Settings → Integrations, with rows in them, at each width."""
    from integrations.inbound.services import webhook_receipt_record
    from tests.factories import UserFactory

    admin = UserFactory(username="ada-layout", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    for n in range(4):
        UserFactory(username=f"person-{n}", role=User.Role.PRODUCER)
    for route, status, event in (
        ("creativeforce", 200, "Task completed"),
        ("optumus", 401, ""),
        ("optimizely-task", 200, "task_step_completed"),
        ("briefs", 200, "created"),
    ):
        webhook_receipt_record(route=route, status_code=status, event=event, external_key="job=d84eef10/product=7a78")
    width, height = WIDTHS[width_name]
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, admin)
    found = {}
    for name, path in {"users": reverse("accounts:users"), "integrations": reverse("upstream:integrations")}.items():
        page.goto(live_server.url + path)
        screenshot(page, f"layout-{name}-{width}")
        problems = layout_problems(page)
        if problems:
            found[name] = problems
    assert found == {}
