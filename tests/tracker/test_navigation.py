"""The sidebar is drawn from the entries apps register (tracker/navigation.py), with a constant number of queries."""

import copy
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import BriefFactory, ProjectFactory, make_deliverable
from tracker import navigation
from tracker.models import Notification
from tracker.navigation import MAIN, SETTINGS, nav_items, register_nav_item, sidebar_for_request
from tracker.services import notification_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry for the test to change; the apps' registrations come back afterwards."""
    monkeypatch.setattr(navigation, "_items", dict(navigation._items))
    monkeypatch.setattr(navigation, "_namespaces", copy.deepcopy(navigation._namespaces))
    return navigation


def sidebar_html(client, url) -> str:
    body = client.get(url).content.decode()
    return re.search(r'<nav class="sidebar".*?</nav>', body, re.S).group(0)


def labels(html: str) -> list[str]:
    return re.findall(r'<li><a href="[^"]*" [^>]*>([^<]+)', html)


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_each_app_registers_its_entries_in_its_ready():
    assert [item.key for item in nav_items(MAIN)] == ["home", "briefs", "projects", "reviews", "spreadsheets"]
    assert [item.key for item in nav_items(SETTINGS)] == [
        "pipelines",
        "users",
        "api_keys",
        "box",
        "webhooks",
        "integrations",
    ]
    assert nav_items(MAIN)[1].count is not None  # the pending-briefs badge


def test_a_registered_entry_shows_in_order_with_its_count(client, producer, registry):
    register_nav_item("widgets", "Widgets", "notifications", 15, count=lambda user: 7)
    client.force_login(producer)
    html = sidebar_html(client, reverse("projects:list"))
    assert labels(html)[:5] == ["Home", "Briefs", "Widgets", "Projects", "Reviews"]
    assert (
        f'<a href="{reverse("notifications")}" >Widgets<span class="nav-count" data-testid="widgets-count">7</span>'
        in (html)
    )


def test_an_entry_counting_nothing_shows_no_badge(client, producer, registry):
    register_nav_item("widgets", "Widgets", "notifications", 15, count=lambda user: 0)
    client.force_login(producer)
    html = sidebar_html(client, reverse("projects:list"))
    assert "Widgets" in html
    assert "widgets-count" not in html


def test_the_entry_of_the_current_section_is_marked_current(client, producer):
    deliverable = make_deliverable(project=ProjectFactory())
    client.force_login(producer)
    current = re.compile(r'aria-current="page">(\w+)')
    assert current.findall(sidebar_html(client, reverse("briefs:inbox"))) == ["Briefs"]
    assert current.findall(sidebar_html(client, reverse("reviews:list"))) == ["Reviews"]
    # A deliverable's pages belong under Projects: deliverables adds its namespace to that entry.
    assert current.findall(sidebar_html(client, reverse("deliverables:detail", args=[deliverable.pk]))) == ["Projects"]
    assert current.findall(sidebar_html(client, reverse("notifications"))) == []


def test_the_settings_menu_lists_the_registered_settings_pages(client, admin_user):
    client.force_login(admin_user)
    html = sidebar_html(client, reverse("api_keys"))
    assert f'<a href="{reverse("projects:pipelines")}" aria-current="page">Settings</a>' in html
    subnav = re.search(r'<ul class="subnav">.*?</ul>', html).group(0)
    assert re.findall(r">([^<]+)</a>", subnav) == ["Pipelines", "Users", "API keys", "Box", "Webhooks", "Integrations"]
    assert f'<a href="{reverse("api_keys")}" class="on">API keys</a>' in subnav


def test_the_sidebar_draws_whatever_is_registered_even_nothing(client, admin_user, registry):
    registry._items.clear()
    client.force_login(admin_user)
    html = sidebar_html(client, reverse("notifications"))
    assert labels(html) == []
    assert "Settings" not in html
    assert 'class="bell"' in html  # the bell and sign-out are tracker's own


def test_sidebar_costs_one_query_per_counting_entry_whatever_the_data(client, producer, registry):
    client.force_login(producer)
    url = reverse("reviews:list")  # a page whose own queries do not depend on briefs or notifications
    client.get(url)
    empty = page_queries(client, url)
    BriefFactory.create_batch(15)
    for index in range(15):
        notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title=f"n{index}")
    assert page_queries(client, url) == empty
    register_nav_item("all-notifications", "All", "notifications", 40, count=lambda user: Notification.objects.count())
    assert page_queries(client, url) == empty + 1


def test_counts_run_once_per_request(producer, registry):
    calls = []
    register_nav_item("widgets", "Widgets", "notifications", 15, count=lambda user: calls.append(user) or 3)
    request = RequestFactory().get(reverse("notifications"))
    request.user = producer
    first = sidebar_for_request(request)
    assert sidebar_for_request(request) is first
    assert len(calls) == 1
    assert [link.count for link in first.main if link.key == "widgets"] == [3]


def test_registering_a_key_again_replaces_the_entry(registry):
    register_nav_item("widgets", "Widgets", "notifications", 15)
    register_nav_item("widgets", "Gadgets", "notifications", 99)
    assert [item.label for item in nav_items(MAIN) if item.key == "widgets"] == ["Gadgets"]


def test_an_unknown_section_is_refused(registry):
    with pytest.raises(ValueError, match="unknown sidebar section"):
        register_nav_item("widgets", "Widgets", "notifications", 15, "footer")
