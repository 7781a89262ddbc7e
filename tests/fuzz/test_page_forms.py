"""Fuzzing the page forms people (and scripts posing as people) submit: whatever the fields hold, the page answers
4xx or redirects, never a 500, and a refused form changes nothing."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from briefs.models import Brief
from projects.models import Project
from tests.factories import BriefFactory, ProjectFactory, UserFactory
from tracker.models import User

from .conftest import fuzz
from .strategies import query_values

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = [
    "name", "status", "priority", "omg_job_number", "client_team", "owner", "business_unit", "client", "requestor",
    "start_date", "due_date", "outputs", "pipeline_template", "description", "notes",
]  # fmt: skip
FILTERS = ["status", "client_team", "priority", "due", "source", "q", "sort", "page"]


@pytest.fixture
def producer_client(client, db):
    client.force_login(UserFactory(username="fuzz-producer", role=User.Role.PRODUCER))
    return client


def form_data(fields) -> st.SearchStrategy:
    return st.dictionaries(st.sampled_from(fields), st.one_of(query_values(), st.lists(query_values(), max_size=3)))


@fuzz
@given(data=form_data(PROJECT_FIELDS))
def test_the_project_edit_form(producer_client, data):
    project = ProjectFactory.create() if not Project.objects.exists() else Project.objects.get()
    before = Project.objects.values().get(pk=project.pk)
    response = producer_client.post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert Project.objects.values().get(pk=project.pk) == before, "a refused form changed the project"


@fuzz
@given(reason=st.one_of(query_values(), st.text(min_size=1900, max_size=2100)))
def test_the_brief_reject_form(producer_client, reason):
    brief = BriefFactory()
    response = producer_client.post(reverse("briefs:reject", args=[brief.pk]), {"reason": reason})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert Brief.objects.get(pk=brief.pk).status == Brief.Status.PENDING


@fuzz
@given(query=form_data(FILTERS))
def test_the_list_filters(producer_client, query):
    for url in (reverse("briefs:inbox"), reverse("projects:list")):
        response = producer_client.get(url, query)
        assert response.status_code < 500, (url, query, response.status_code)


@fuzz
@given(credentials=form_data(["username", "password"]))
def test_the_sign_in_form(client, credentials):
    # 429: the sign-in lockout, after AXES_FAILURE_LIMIT failures from this address (an answer, not a crash).
    assert client.post(reverse("login"), credentials).status_code in (200, 302, 429)
