"""GET /api/v1/projects/<id>/deliverables/<id>/history: the approval trail, read-only, newest first."""

import pytest
from django.urls import reverse

from deliverables.models import Deliverable
from deliverables.services import deliverable_complete_stage, deliverable_hold, deliverable_release
from tests.factories import ProjectFactory, make_deliverable

from .conftest import client_for

pytestmark = pytest.mark.django_db


def url(deliverable) -> str:
    return reverse(
        "api_v1:deliverable-history",
        kwargs={"project_id": str(deliverable.project_id), "deliverable_id": str(deliverable.pk)},
    )


def test_history_lists_every_transition_newest_first(api, producer, organisation):
    deliverable = make_deliverable(ProjectFactory(organisation=organisation))
    deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=producer)
    deliverable_hold(deliverable=deliverable, actor=producer, note="Paused")

    body = api.get(url(deliverable)).json()
    assert body["next"] is None
    assert [(r["intent"], r["fromStatus"], r["toStatus"]) for r in body["results"]] == [
        ("hold", "IN_PROGRESS", "ON_HOLD"),
        ("complete", "NOT_STARTED", "IN_PROGRESS"),
    ]
    latest = body["results"][0]
    assert latest["actor"] == producer.get_full_name() and latest["source"] == "ui" and latest["note"] == "Paused"
    assert isinstance(latest["id"], str)


def test_history_pages_with_a_cursor(api, producer, organisation):
    deliverable = make_deliverable(ProjectFactory(organisation=organisation))
    for _ in range(3):
        deliverable_hold(deliverable=deliverable, actor=producer)
        deliverable_release(deliverable=Deliverable.objects.get(pk=deliverable.pk), actor=producer)
    first = api.get(url(deliverable), {"limit": 4}).json()
    second = api.get(url(deliverable), {"limit": 4, "cursor": first["next"]}).json()
    assert len(first["results"]) == 4 and len(second["results"]) == 2 and second["next"] is None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 6


def test_another_organisations_deliverable_is_not_found(make_key, other_organisation):
    _, secret = make_key(organisation_=other_organisation)
    deliverable = make_deliverable()
    assert client_for(secret).get(url(deliverable)).status_code == 404


def test_history_is_read_only(api, organisation):
    deliverable = make_deliverable(ProjectFactory(organisation=organisation))
    assert api.post(url(deliverable), {}, format="json").status_code == 405


def test_a_status_set_through_v1_is_history_named_by_the_key(api, organisation):
    project = ProjectFactory(organisation=organisation)
    response = api.post(
        reverse("api_v1:project-deliverables", kwargs={"project_id": str(project.pk)}),
        data={"name": "Hero", "status": "ON_HOLD"},
        format="json",
    )
    assert response.status_code == 201
    row = project.deliverables.get().transitions.get()
    assert (row.intent, row.to_status, row.source, row.system, row.actor) == (
        "set_by_upstream", "ON_HOLD", "api", "API key Upstream sync", None,
    )  # fmt: skip
