"""Every page and list endpoint of the page table (bench/pages.py) runs no more queries with many rows than with
few: the same pages, the same data generator, at two volumes. Times are the benchmark's business, not a test's."""

import pytest
from django.test import Client

from bench.data import seed
from bench.pages import _targets, pages
from tracker.models import User
from tracker.services import organisation_default

pytestmark = pytest.mark.django_db

FEW = {"briefs": 12, "projects": 3, "deliverables": 8, "revisions": 6, "sessions": 3, "notifications": 12,
       "receipts": 12}  # fmt: skip
MORE = {"briefs": 90, "projects": 9, "deliverables": 8, "revisions": 20, "sessions": 6, "notifications": 60,
        "receipts": 90}  # fmt: skip


def _query_counts(client, user, organisation) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path, headers in pages(_targets(organisation, user)):
        client.get(path, **headers)  # warm: the per-process caches (organisation, sources) fill on first use
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured)
    return counts


def test_no_page_runs_more_queries_with_more_rows():
    organisation = organisation_default()
    user = User.objects.create_superuser("pages", "pages@example.com", "x", role=User.Role.ADMIN,
                                         organisation=organisation)  # fmt: skip
    client = Client()
    client.force_login(user)
    seed(organisation=organisation, user=user, scale=FEW, seed_value=1)
    few = _query_counts(client, user, organisation)
    seed(organisation=organisation, user=user, scale=MORE, seed_value=2)
    many = _query_counts(client, user, organisation)
    grew = {name: (few[name], many[name]) for name in few if many[name] > few[name]}
    assert not grew, f"queries grew with the rows (few, many): {grew}"
