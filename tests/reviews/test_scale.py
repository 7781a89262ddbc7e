"""The review list pages and the builder at studio scale: a page of rows each, the same queries for 3 rows or 30,
and a POST that reads only the deliverables it names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import ReviewSession
from reviews.services.sessions import review_session_create
from reviews.views import sessions as session_views

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_builder_shows_one_page_of_waiting_deliverables_with_constant_queries(
    client, reviewer, at_client_review, monkeypatch
):
    monkeypatch.setattr(session_views, "PAGE_SIZE", 4)
    client.force_login(reviewer)
    for n in range(3):
        at_client_review(f"Few {n}")
    few, _ = _queries(client, reverse("reviews:new"))
    for n in range(9):
        at_client_review(f"Many {n}")
    many, html = _queries(client, reverse("reviews:new"))
    assert many == few
    assert html.count('name="deliverables"') == 4 and "1–4 of 12" in html
    _, last = _queries(client, reverse("reviews:new") + "?page=3")
    assert last.count('name="deliverables"') == 4 and "9–12 of 12" in last


def test_builder_search_narrows_by_deliverable_or_project_name(client, reviewer, at_client_review):
    client.force_login(reviewer)
    hero = at_client_review("Hero banner")
    at_client_review("Footer strip")
    _, html = _queries(client, reverse("reviews:new") + "?q=hero")
    assert "Hero banner" in html and "Footer strip" not in html
    _, html = _queries(client, reverse("reviews:new") + f"?q={hero.project.name[:6]}")
    assert "Hero banner" in html
    _, html = _queries(client, reverse("reviews:new") + "?q=nothing-like-it")
    assert "No deliverable waiting for review matches" in html


def test_builder_post_reads_only_the_ticked_deliverables_and_refuses_one_not_waiting(
    client, reviewer, at_client_review
):
    client.force_login(reviewer)
    waiting = [at_client_review(f"D{n}") for n in range(5)]
    not_waiting = at_client_review("No file", with_revision=False)
    response = client.post(reverse("reviews:new"), {"title": "Mon", "deliverables": [not_waiting.pk]})
    assert response.status_code == 200 and not ReviewSession.objects.exists()
    response = client.post(reverse("reviews:new"), {"title": "Mon", "deliverables": [waiting[3].pk, waiting[1].pk]})
    assert response.status_code == 302
    assert sorted(ReviewSession.objects.get().items.values_list("deliverable__name", flat=True)) == ["D1", "D3"]


def test_draft_session_page_pages_the_deliverables_it_could_add(client, reviewer, at_client_review, monkeypatch):
    monkeypatch.setattr(session_views, "PAGE_SIZE", 2)
    client.force_login(reviewer)
    session = review_session_create(title="Mon", actor=reviewer, deliverables=[at_client_review("In it")])
    at_client_review("Other 0")
    few, _ = _queries(client, reverse("reviews:detail", args=[session.pk]))
    for n in range(1, 6):
        at_client_review(f"Other {n}")
    many, html = _queries(client, reverse("reviews:detail", args=[session.pk]))
    assert many == few and html.count('name="deliverables"') == 2 and "1–2 of 6" in html


def test_session_list_shows_a_bounded_group_per_status_and_pages_one_status(
    client, reviewer, at_client_review, monkeypatch
):
    monkeypatch.setattr(session_views, "GROUP_SIZE", 2)
    monkeypatch.setattr(session_views, "PAGE_SIZE", 2)
    client.force_login(reviewer)
    review_session_create(title="Draft 0", actor=reviewer, deliverables=[at_client_review("A0")])
    few, _ = _queries(client, reverse("reviews:list"))
    for n in range(1, 5):
        review_session_create(title=f"Draft {n}", actor=reviewer, deliverables=[at_client_review(f"A{n}")])
    many, html = _queries(client, reverse("reviews:list"))
    assert many == few
    assert html.count('data-testid="session-row"') == 2 and "Show all 5" in html
    _, page3 = _queries(client, reverse("reviews:list") + "?status=DRAFT&page=3")
    assert page3.count('data-testid="session-row"') == 1 and "Draft 0" in page3


def test_sessions_api_pages_with_a_cursor(client, reviewer, at_client_review):
    client.force_login(reviewer)
    for n in range(3):
        review_session_create(title=f"S{n}", actor=reviewer, deliverables=[at_client_review(f"A{n}")])
    first = client.get(reverse("api-reviews"), {"limit": 2}).json()
    assert [s["title"] for s in first["results"]] == ["S2", "S1"] and first["next"]
    second = client.get(reverse("api-reviews"), {"limit": 2, "cursor": first["next"]}).json()
    assert [s["title"] for s in second["results"]] == ["S0"] and second["next"] is None
    assert client.get(reverse("api-reviews"), {"limit": 0}).status_code == 400
