"""Django admin cannot create an inconsistent row: state fields are read-only, and its actions are the services."""

import pytest
from django.urls import reverse

from briefs.models import Brief
from deliverables.models import Deliverable, Transition
from deliverables.services import deliverable_hold
from tests.factories import BriefFactory, ProjectFactory, make_deliverable
from tracker.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "deliverables_deliverable", "deliverables_stage", "deliverables_transition", "reviews_reviewsession",
        "reviews_feedbackitem", "reviews_annotation", "briefs_brief", "tracker_event",
    ],
)  # fmt: skip
def test_rows_only_services_create_cannot_be_added_in_admin(client, admin_user, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403


def test_a_deliverables_status_and_stages_are_read_only_and_field_edits_go_through_the_service(client, admin_user):
    deliverable = make_deliverable(ProjectFactory(), notes="before")
    client.force_login(admin_user)
    url = reverse("admin:deliverables_deliverable_change", args=[deliverable.pk])
    page = client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="current_stage"' not in page
    assert 'name="stages-0-status"' not in page

    form = {
        "priority": "HIGH", "notes": "after", "cmf_sku": "", "asset_count": "", "due_date": "", "assignee": "",
        "custom_fields": "{}", "status": "APPROVED",
        **{f"{prefix}-{key}": value for prefix in ("stages", "transitions", "revisions")
           for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0",
                              "MAX_NUM_FORMS": "1000"}.items()},
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    deliverable.refresh_from_db()
    assert (deliverable.notes, deliverable.priority, deliverable.status) == ("after", "HIGH", "NOT_STARTED")
    assert Event.objects.filter(name="deliverable.updated").exists()


def test_hold_and_release_actions_write_history_from_admin(client, admin_user):
    deliverable = make_deliverable(ProjectFactory())
    already = make_deliverable(deliverable.project, "Already held")
    deliverable_hold(deliverable=already, actor=admin_user)
    client.force_login(admin_user)
    changelist = reverse("admin:deliverables_deliverable_changelist")
    response = client.post(
        changelist, {"action": "hold", "_selected_action": [deliverable.pk, already.pk]}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "Put on hold: 1." in messages
    assert any("Already held: The deliverable is already on hold." in m for m in messages)
    row = Transition.objects.get(deliverable=deliverable)
    assert (row.intent, row.to_status, row.source, row.actor) == ("hold", "ON_HOLD", "admin", admin_user)

    client.post(changelist, {"action": "release", "_selected_action": [deliverable.pk]})
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.NOT_STARTED


def test_brief_triage_fields_are_read_only_and_reopen_is_the_service(client, admin_user):
    brief = BriefFactory(status=Brief.Status.REJECTED, rejection_reason="Duplicate")
    client.force_login(admin_user)
    page = client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).content.decode()
    assert 'name="status"' not in page and 'name="converted_project"' not in page
    client.post(reverse("admin:briefs_brief_changelist"), {"action": "reopen", "_selected_action": [brief.pk]})
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING
    assert Event.objects.filter(name="brief.reopened").exists()
