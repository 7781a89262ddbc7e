"""Compare rounds (`reviews:compare`) and present mode (`reviews:present?full=1`), as pages; the browser tests
(tests/e2e/test_compare_present.py) drive the slider, the keys and the full screen."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import ReviewSessionItem
from reviews.services.feedback import annotation_create
from reviews.services.revisions import revision_upload
from tests.factories import UserFactory
from tracker.models import Organisation

from .files import png_bytes, upload
from .helpers import latest, running_session

pytestmark = pytest.mark.django_db


def rounds(deliverable, producer, count: int) -> None:
    """Upload rounds until the deliverable has `count`."""
    while deliverable.revisions.count() < count:
        revision_upload(deliverable=deliverable, file=upload("next.png", png_bytes()), actor=producer)


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_compare_defaults_to_the_round_before_the_latest_and_the_latest(client, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    rounds(deliverable, producer, 3)
    client.force_login(reviewer)
    html = page(client, reverse("reviews:compare", args=[deliverable.pk]))
    assert re.search(r'name="a".*?<option value="2" selected>', html, re.S)
    assert re.search(r'name="b".*?<option value="3" selected>', html, re.S)
    assert 'data-testid="compare-side"' in html
    assert html.count('data-testid="compare-image-a"') == 1 and html.count('data-testid="compare-image-b"') == 1


def test_compare_shows_the_chosen_rounds_each_with_its_own_pins(client, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    annotation_create(revision=latest(deliverable), x=0.1, y=0.2, body="Logo too small", actor=reviewer)
    rounds(deliverable, producer, 3)  # the open pin is carried into round 2, then round 3
    annotation_create(revision=latest(deliverable), x=0.8, y=0.9, body="Price cut off", actor=reviewer)
    client.force_login(reviewer)
    html = page(client, reverse("reviews:compare", args=[deliverable.pk]), a=1, b=3)
    assert re.search(r'name="a".*?<option value="1" selected>', html, re.S)
    a_notes = html.split('data-testid="notes-a"')[1].split("</ol>")[0]
    b_notes = html.split('data-testid="notes-b"')[1].split("</ol>")[0]
    assert "Logo too small" in a_notes and "Price cut off" not in a_notes
    assert "Logo too small" in b_notes and "carried from round 1" in b_notes and "Price cut off" in b_notes
    assert 'data-testid="pin-a-1"' in html and 'data-testid="pin-a-2"' not in html
    assert 'data-testid="pin-b-1"' in html and 'data-testid="pin-b-2"' in html
    assert 'style="left:80.000%;top:90.000%"' in html


def test_overlay_puts_round_a_over_round_b_with_a_slider(client, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    rounds(deliverable, producer, 2)
    client.force_login(reviewer)
    html = page(client, reverse("reviews:compare", args=[deliverable.pk]), mode="overlay")
    overlay = html.split('data-testid="compare-overlay"')[1]
    assert overlay.index('data-testid="compare-image-b"') < overlay.index('data-testid="compare-over"')
    assert 'type="range"' in overlay and 'data-testid="compare-slider"' in overlay
    assert 'aria-current="page" data-testid="mode-overlay"' in html


def test_overlay_of_a_round_with_no_picture_falls_back_to_side_by_side(client, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    revision_upload(deliverable=deliverable, file=upload("art.pdf"), actor=producer)  # no thumbnail (yet)
    client.force_login(reviewer)
    html = page(client, reverse("reviews:compare", args=[deliverable.pk]), mode="overlay")
    assert 'data-testid="no-overlay"' in html and 'data-testid="compare-side"' in html
    assert "Open art.pdf" in html and 'data-kind="pdf"' in html


@pytest.mark.parametrize("query", [{"a": "99", "b": "x"}, {"a": "-1", "b": "1¹"}, {"mode": "sideways"}])
def test_rounds_that_do_not_exist_fall_back_to_the_default_pair(client, reviewer, producer, at_client_review, query):
    deliverable = at_client_review()
    rounds(deliverable, producer, 2)
    client.force_login(reviewer)
    html = page(client, reverse("reviews:compare", args=[deliverable.pk]), **query)
    assert re.search(r'name="a".*?<option value="1" selected>', html, re.S)
    assert re.search(r'name="b".*?<option value="2" selected>', html, re.S)
    assert 'data-testid="compare-side"' in html


def test_a_single_round_says_there_is_nothing_to_compare_yet(client, reviewer, at_client_review):
    deliverable = at_client_review()
    client.force_login(reviewer)
    html = page(client, reverse("reviews:compare", args=[deliverable.pk]))
    assert "Only round 1 so far" in html
    assert "Compare rounds" not in page(client, reverse("deliverables:detail", args=[deliverable.pk]))


def test_the_deliverable_page_links_to_compare_once_there_are_two_rounds(client, producer, at_client_review):
    deliverable = at_client_review()
    rounds(deliverable, producer, 2)
    client.force_login(producer)
    html = page(client, reverse("deliverables:detail", args=[deliverable.pk]))
    assert reverse("reviews:compare", args=[deliverable.pk]) in html


def test_compare_is_for_the_deliverables_organisation_only(client, at_client_review):
    deliverable = at_client_review()
    url = reverse("reviews:compare", args=[deliverable.pk])
    assert client.get(url).status_code == 302
    other = Organisation.objects.create(name="Other", slug="other")
    client.force_login(UserFactory(username="outsider", organisation=other))
    assert client.get(url).status_code == 404


def test_compare_costs_the_same_queries_for_2_or_8_rounds_and_many_pins(client, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    client.force_login(reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, reverse("reviews:compare", args=[deliverable.pk]), a=1)
        return len(captured)

    annotation_create(revision=latest(deliverable), x=0.5, y=0.5, body="First pin", actor=reviewer)
    rounds(deliverable, producer, 2)
    few = queries()
    for n in range(6):
        annotation_create(revision=latest(deliverable), x=0.1 * n, y=0.5, body=f"Pin {n}", actor=reviewer)
        rounds(deliverable, producer, 3 + n)
    assert queries() == few


# --- Present mode -------------------------------------------------------------------------------------------------


def test_present_mode_has_no_sidebar_and_keeps_its_mode_in_every_link(client, reviewer, at_client_review):
    session = running_session([at_client_review("A"), at_client_review("B")], reviewer)
    client.force_login(reviewer)
    present = reverse("reviews:present", args=[session.pk])
    normal = page(client, present)
    assert 'class="sidebar"' in normal and 'data-testid="enter-present"' in normal
    assert 'href="?item=1&amp;full=1" data-fullscreen' in normal

    full = page(client, present, item=2, full=1)
    assert 'class="sidebar"' not in full and "shell-bare" in full
    assert 'hx-boost="true"' in full and "data-full" in full
    assert 'href="?item=1&amp;full=1" data-nav="prev"' in full
    assert 'href="?item=2" data-exit' in full  # Esc / Exit: the same item, with the sidebar
    assert f'value="{present}?item=1&amp;full=1"' in full  # after deciding, the next item still in present mode
    assert 'name="full" value="1"' in full
    assert 'aria-keyshortcuts="A"' in full and 'aria-keyshortcuts="C"' in full and 'aria-keyshortcuts="R"' in full


def test_a_refused_decision_in_present_mode_stays_in_present_mode(client, reviewer, at_client_review):
    session = running_session([at_client_review("A")], reviewer)
    item = session.items.get()
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:decide", args=[session.pk, item.pk]), {"decision": "REJECTED", "notes": "", "full": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:present", args=[session.pk]) + "?item=1&full=1"


def test_a_boosted_decision_follows_a_redirect_instead_of_reloading_the_page(client, reviewer, at_client_review):
    """htmx follows a plain redirect and swaps the page in place (the full screen stays); HX-Redirect would load a
    new page, which ends the full screen."""
    session = running_session([at_client_review("A"), at_client_review("B")], reviewer)
    item = session.items.order_by("position").first()
    client.force_login(reviewer)
    present = reverse("reviews:present", args=[session.pk])
    response = client.post(
        reverse("reviews:decide", args=[session.pk, item.pk]),
        {"decision": "CHANGES_REQUESTED", "notes": "Bigger logo", "next": f"{present}?item=2&full=1"},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 302 and response["Location"] == f"{present}?item=2&full=1"
    assert "HX-Redirect" not in response
    item.refresh_from_db()
    assert item.decision == ReviewSessionItem.Decision.CHANGES_REQUESTED
    # An htmx request that is not boosted is still told where to go with HX-Redirect.
    other = session.items.exclude(pk=item.pk).get()
    response = client.post(
        reverse("reviews:decide", args=[session.pk, other.pk]),
        {"decision": "CHANGES_REQUESTED", "notes": "x", "next": present},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response["HX-Redirect"] == present


def test_the_presenter_strip_and_session_pages_show_thumbnails(client, reviewer, at_client_review):
    session = running_session([at_client_review("A"), at_client_review("B")], reviewer)
    client.force_login(reviewer)
    for url in (
        reverse("reviews:present", args=[session.pk]),
        reverse("reviews:detail", args=[session.pk]),
        reverse("reviews:summary", args=[session.pk]),
    ):
        html = page(client, url)
        # Not made yet in this test (no commit), so each item shows its kind's icon.
        assert html.count('data-testid="thumb-icon" data-kind="image"') == 2, url
