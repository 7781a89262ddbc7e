"""The failed Box pushes list a producer's home page opens: deliverables whose latest push failed, with a retry."""

import uuid

import pytest
from django.urls import reverse

from integrations.box.models import BoxPushLog
from integrations.box.selectors import box_failed_deliverables
from tests.factories import ProjectFactory, default_organisation, make_deliverable

pytestmark = pytest.mark.django_db


def push(deliverable, outcome, error=""):
    return BoxPushLog.objects.create(push_id=uuid.uuid4(), deliverable=deliverable, outcome=outcome, error=error)


def test_only_deliverables_whose_latest_push_failed():
    project = ProjectFactory()
    failed, recovered, sent = (make_deliverable(project, name) for name in ("Failed", "Recovered", "Sent"))
    push(failed, BoxPushLog.Outcome.SENT)
    push(failed, BoxPushLog.Outcome.FAILED, "Box said 403")
    push(recovered, BoxPushLog.Outcome.FAILED)
    push(recovered, BoxPushLog.Outcome.QUEUED)  # retried: on its way again
    push(sent, BoxPushLog.Outcome.SENT)
    rows = list(box_failed_deliverables(organisation=default_organisation()))
    assert [(d.name, d.failed_error) for d in rows] == [("Failed", "Box said 403")]


def test_the_list_offers_a_retry_to_those_who_may_push(client, producer, viewer):
    deliverable = make_deliverable(ProjectFactory(), "Hero")
    row = push(deliverable, BoxPushLog.Outcome.FAILED, "Box said 403")
    client.force_login(producer)
    body = client.get(reverse("box:failed")).content.decode()
    assert "Box said 403" in body and reverse("box:push_retry", args=[row.pk]) in body
    client.force_login(viewer)
    body = client.get(reverse("box:failed")).content.decode()
    assert "Hero" in body and reverse("box:push_retry", args=[row.pk]) not in body


def test_empty_state(client, producer):
    client.force_login(producer)
    assert 'data-testid="box-failed-empty"' in client.get(reverse("box:failed")).content.decode()
