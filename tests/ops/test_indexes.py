"""The indexes the list pages rely on are there and the planner can use them (Postgres: its plans are the point).

Each query is planned with sequential scans (and, for an order, sorts) switched off, so the test asks whether the
index *can* answer the query, whatever the planner would pick for a test's handful of rows."""

import pytest
from django.db import connection

from briefs.models import Brief
from briefs.selectors import brief_inbox
from deliverables.models import Deliverable
from projects.models import Project
from tests.conftest import require_postgres
from tracker.services import organisation_default

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan(queryset, *, no_sort: bool = False) -> str:
    """The query's plan with sequential scans off (and sorts, with `no_sort`): what an index can do for it."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if no_sort:
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def organisation():
    require_postgres()
    return organisation_default()


SEARCHED = {Brief: ["title", "description", "requestor_name", "requestor_email", "external_id"],
            Project: ["name", "project_code", "omg_job_number"], Deliverable: ["name"]}  # fmt: skip


def test_every_searched_field_has_a_trigram_index_of_the_expression_icontains_writes(organisation):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        indexes = dict(cursor.fetchall())
    for model, fields in SEARCHED.items():
        for field in fields:
            definition = indexes[f"{model._meta.db_table}_{field}_trgm"]
            assert f"gin (upper(({field})::text) gin_trgm_ops)" in definition or (
                f"gin (upper({field}) gin_trgm_ops)" in definition  # a text column needs no cast
            ), definition


@pytest.mark.parametrize("model", [Brief, Project, Deliverable])
def test_icontains_searches_can_use_the_trigram_indexes(organisation, model):
    """Django writes `icontains` as `UPPER(col::text) LIKE ...`, the indexes' own expression, so the searches use
    them as they are, with no raw SQL. (An external id is also found through its unique index on a small table,
    so the plan is checked on the other fields.)"""
    for field in SEARCHED[model]:
        if field == "external_id":
            continue
        text = plan(model.objects.filter(**{f"{field}__icontains": "banner"}).order_by().values("pk"))
        assert f"{model._meta.db_table}_{field}_trgm" in text, (field, text)


def test_the_inbox_reads_its_tab_in_order_from_the_index(organisation):
    text = plan(brief_inbox(organisation=organisation, status="PENDING").values("pk")[:25], no_sort=True)
    assert "briefs_inbox_order_idx" in text and "Sort" not in text, text


def test_the_api_and_the_projects_list_page_in_index_order(organisation):
    Project.objects.bulk_create(
        Project(organisation=organisation, project_code=f"P-{n}", name=f"Project {n}") for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project")
    for ordering, index in (
        (("-updated_at", "-id"), "projects_updated_idx"),
        (("-created_at", "-id"), "projects_recent_idx"),
    ):
        text = plan(
            Project.objects.filter(organisation=organisation).order_by(*ordering).values("pk")[:25], no_sort=True
        )
        assert index in text and "Sort" not in text, text
