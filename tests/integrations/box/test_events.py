"""What the Box push tells the rest of the tracker: `box.push_failed` when a push will not reach Box."""

import pytest

from deliverables.services import deliverable_set_by_upstream
from tracker.models import Event

from .conftest import add_revision, approve

pytestmark = pytest.mark.django_db


def test_a_push_that_fails_for_good_emits_box_push_failed_with_its_organisation(
    fake_box, deliverable, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    fake_box.fail_next(3, status=502, path="/2.0/folders")
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)

    (event,) = Event.objects.filter(name="box.push_failed")
    payload = event.payload
    assert payload["deliverableId"] == str(deliverable.pk) and payload["attempts"] == 3
    assert payload["organisationId"] == str(deliverable.project.organisation_id)
    assert payload["error"].startswith("Box answered 502") and payload["folderName"] == "OMG-24017_hero-banner_v1"


def test_a_push_that_cannot_start_emits_it_but_box_being_off_does_not(
    fake_box, deliverable, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)  # Box is configured, but there is no file to send
    assert Event.objects.get(name="box.push_failed").payload["error"] == "the deliverable has no revision to send"

    settings.BOX_CONFIG_FILE = ""
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_set_by_upstream(deliverable=deliverable, status="IN_PROGRESS", source="api", system="test")
        approve(deliverable)
    assert Event.objects.filter(name="box.push_failed").count() == 1
