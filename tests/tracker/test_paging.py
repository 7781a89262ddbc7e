"""The page lists' paginator reads a page past the middle from the far end, and shows exactly Django's rows."""

import pytest
from django.core import paginator as django_paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import Brief
from tests.factories import BriefFactory
from tracker.paging import Paginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orphans", [0, 2])
def test_every_page_is_djangos_page(orphans):
    for n in range(23):
        BriefFactory(title=f"Brief {n % 4}")  # ties on the title: the id breaks them
    briefs = Brief.objects.order_by("title", "-id")
    ours, theirs = Paginator(briefs, 5, orphans=orphans), django_paginator.Paginator(briefs, 5, orphans=orphans)
    assert ours.num_pages == theirs.num_pages
    for number in ours.page_range:
        assert list(ours.page(number)) == list(theirs.page(number)), number


def test_the_last_page_is_read_backwards_without_an_offset_past_the_rest():
    BriefFactory.create_batch(12)
    page = Paginator(Brief.objects.order_by("-created_at", "-id"), 5)
    page.count  # noqa: B018 - counted first, as a page list does for its pager
    with CaptureQueriesContext(connection) as captured:
        rows = list(page.page(3))
    assert len(rows) == 2 and rows == list(Brief.objects.order_by("-created_at", "-id")[10:])
    [query] = captured.captured_queries
    assert "OFFSET" not in query["sql"].upper() and '"created_at" ASC' in query["sql"]
