"""The approval and its Box push are bound in one commit: the push is written from the approval's event row, so a
process that dies between the commit and its after-commit callback loses nothing, and a redelivery pushes once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.box.models import BoxPushLog
from tests.conftest import require_postgres
from tracker.events import events_dispatch_pending
from tracker.models import Event

from .conftest import add_revision, approve


def _after_the_sweep_delay():
    return timezone.now() + timedelta(seconds=settings.EVENTS_SWEEP_DELAY_SECONDS + 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_approval_whose_callback_was_lost_is_pushed_once_by_the_sweep(fake_box, deliverable):
    require_postgres()
    add_revision(deliverable)
    # Commit the approval, and drop what would run after the commit, as a process killed at that moment would.
    with mock.patch.object(transaction, "on_commit"), transaction.atomic():
        approve(deliverable)
    assert not BoxPushLog.objects.exists()
    assert Event.objects.filter(name="deliverable.approved", dispatched_at__isnull=True).count() == 1

    events_dispatch_pending(now=_after_the_sweep_delay())
    row = BoxPushLog.objects.get()
    assert (row.trigger, row.outcome) == ("approved", "sent")

    events_dispatch_pending(now=_after_the_sweep_delay())
    assert BoxPushLog.objects.count() == 1
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_an_approval_is_pushed_right_after_commit_and_not_again_by_the_sweep(fake_box, deliverable):
    add_revision(deliverable)
    with transaction.atomic():
        approve(deliverable)
    assert BoxPushLog.objects.get().outcome == "sent"
    events_dispatch_pending(now=_after_the_sweep_delay())
    assert BoxPushLog.objects.count() == 1
