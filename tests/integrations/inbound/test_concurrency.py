"""N identical webhook calls at once make exactly one row, and every caller gets 200 (needs Postgres)."""

import pytest
from django.test import Client

from briefs.models import Brief
from deliverables.models import Deliverable
from projects.models import Project
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import ProjectFactory

from .conftest import fixture_bytes, post_webhook

CALLERS = 8


def post_all_at_once(route: str, body: bytes) -> list:
    def post():
        response = post_webhook(Client(), route, body)
        return response.status_code, response.json()

    return run_at_once([post] * CALLERS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_identical_briefs_make_one_brief():
    require_postgres()
    results = post_all_at_once("briefs", fixture_bytes("briefs", "brief__created"))
    assert [result[0] for result in results] == [200] * CALLERS, results
    assert len({result[1]["briefId"] for result in results}) == 1
    assert sorted(result[1]["action"] for result in results) == ["created"] + ["updated"] * (CALLERS - 1)
    assert Brief.objects.filter(external_id="INTAKE-2026-00042").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_identical_jobs_make_one_project():
    require_postgres()
    results = post_all_at_once("omg", fixture_bytes("omg", "job__updated"))
    assert [result[0] for result in results] == [200] * CALLERS, results
    assert len({result[1]["projectId"] for result in results}) == 1
    assert Project.objects.filter(omg_job_number="OMG-12345").count() == 1
    assert Project.objects.get(omg_job_number="OMG-12345").name == "Q2 Launch Homepage Takeover"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_identical_deliverables_make_one_deliverable_with_one_set_of_stages():
    require_postgres()
    ProjectFactory(omg_job_number="OMG-12345")
    results = post_all_at_once("deliverables", fixture_bytes("deliverables", "deliverable__updated"))
    assert [result[0] for result in results] == [200] * CALLERS, results
    assert len({result[1]["deliverableId"] for result in results}) == 1
    deliverable = Deliverable.objects.get()
    assert deliverable.stages.count() == 11
    assert deliverable.status == "IN_PROGRESS"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_names_that_slugify_alike_all_get_a_deliverable_and_a_free_slug():
    """Names that differ only in case or punctuation race for one slug: every upsert finds a free one."""
    require_postgres()
    ProjectFactory(omg_job_number="OMG-SLUG")
    names = [
        f"{base}{suffix}"
        for base in ("Slug Clash 4", "slug clash 4", "Slug-Clash-4", "SLUG CLASH 4", "Slug  Clash  4")
        for suffix in ("", "!", "?", ".")
    ]

    def post(name):
        def call():
            body = {"deliverable": {"projectOmgJobNumber": "OMG-SLUG", "name": name}}
            response = post_webhook(Client(), "deliverables", body)
            return response.status_code, response.json()

        return call

    results = run_at_once([post(name) for name in names])
    assert [status for status, _ in results] == [200] * len(names), results
    slugs = list(Deliverable.objects.values_list("slug", flat=True))
    assert len(slugs) == len(names) == len(set(slugs))
    assert all(slug.startswith("slug-clash-4") for slug in slugs)
    assert all("unique" not in str(body) for _, body in results)
