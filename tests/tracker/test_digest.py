"""The daily digest: one email per user who chose it, listing the day's unread notifications that need them; none
when there are none; never twice for a day."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tracker import tasks
from tracker.mail.digest import digest_period, email_digests_record
from tracker.models import Notification, NotificationPreference, OutgoingEmail
from tracker.services import notification_create, notification_preference_set

pytestmark = pytest.mark.django_db

PUBLIC = "https://tracker.example.com"
NOW = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)  # the digest of 10 March covers 9 March 07:00 to 10 March 07:00
KIND = Notification.Kind


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TRACKER_PUBLIC_URL = PUBLIC
    settings.NOTIFICATION_DIGEST_HOUR = 7
    settings.NOTIFICATION_EMAIL_DEFAULT = NotificationPreference.Email.IMMEDIATE


@pytest.fixture
def daily(producer):
    notification_preference_set(user=producer, email=NotificationPreference.Email.DAILY)
    return producer


def note(user, kind, title, at, **fields):
    notification = notification_create(recipient=user, kind=kind, title=title, body=fields.pop("body", ""), url="/x")
    Notification.objects.filter(pk=notification.pk).update(created_at=at, **fields)
    return notification


def test_the_period_ends_at_the_digest_hour_in_the_sites_time_zone(settings):
    assert digest_period(NOW) == (date(2026, 3, 10), NOW - timedelta(days=1, minutes=30), NOW - timedelta(minutes=30))
    day, start, end = digest_period(datetime(2026, 3, 10, 6, 59, tzinfo=UTC))
    assert (day, start.day, end.day) == (date(2026, 3, 9), 8, 9)
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override(ZoneInfo("Europe/Paris")):
        day, start, end = digest_period(datetime(2026, 3, 10, 6, 30, tzinfo=UTC))  # 07:30 in Paris
    assert day == date(2026, 3, 10) and end == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


def test_the_digest_lists_the_days_unread_notifications_that_need_action(daily, django_capture_on_commit_callbacks):
    at = NOW - timedelta(hours=3)
    waiting = note(daily, KIND.STAGE_WAITING, "Hero banner: Internal Review is ready", at, body="Reported done.")
    changes = note(daily, KIND.CHANGES_REQUESTED, "Changes requested: Teaser", at - timedelta(hours=1))
    note(daily, KIND.BOX_PUSH_FAILED, "Box push failed: read already", at, read_at=at)
    note(daily, KIND.REVIEW_PASSED, "Client Review passed: no action", at)
    note(daily, KIND.ASSIGNED, "Assigned to you: the day before", NOW - timedelta(days=1, hours=1))
    note(daily, KIND.ASSIGNED, "Assigned to you: after the period", NOW)
    assert mail.outbox == []  # a digest user gets no email at once

    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW) == 1

    [message] = mail.outbox
    assert message.to == [daily.email]
    assert message.subject == "[L'Oréal Studio Tracker] 2 things waiting for you (10 Mar 2026)"
    body, (html, _) = message.body, message.alternatives[0]
    assert body.index("Changes requested: Teaser") < body.index("Hero banner: Internal Review is ready")
    assert "Reported done." in body
    for listed in (waiting, changes):
        link = PUBLIC + reverse("notification_open", args=[listed.pk])
        assert link in body and f'href="{link}"' in html
    for left_out in ("read already", "no action", "the day before", "after the period"):
        assert left_out not in body and left_out not in html
    assert OutgoingEmail.objects.get().digest_date == date(2026, 3, 10)


def test_the_digest_is_sent_once_a_day_however_often_it_runs(daily, django_capture_on_commit_callbacks):
    note(daily, KIND.CHANGES_REQUESTED, "Changes requested: Teaser", NOW - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW) == 1
        assert email_digests_record(NOW + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1
    note(daily, KIND.CHANGES_REQUESTED, "Changes requested: Poster", NOW + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2 and "Poster" in mail.outbox[1].body and "Teaser" not in mail.outbox[1].body


def test_no_digest_when_nothing_waits(daily, django_capture_on_commit_callbacks):
    note(daily, KIND.GENERAL, "Nothing to do", NOW - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW) == 0
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_only_users_who_chose_the_digest_get_one(daily, reviewer, django_capture_on_commit_callbacks):
    app_only = UserFactory(username="bell")
    notification_preference_set(user=app_only, email=NotificationPreference.Email.NONE)
    gone = UserFactory(username="gone")
    notification_preference_set(user=gone, email=NotificationPreference.Email.DAILY)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        for user in (daily, reviewer, app_only, gone):
            note(user, KIND.CHANGES_REQUESTED, f"Changes requested for {user.username}", NOW - timedelta(hours=2))
    immediate = [m.to for m in mail.outbox]
    assert immediate == [[reviewer.email]]  # the reviewer has the default: at once

    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW) == 1
    assert [m.to for m in mail.outbox[1:]] == [[daily.email]]


def test_the_digest_default_covers_users_without_a_choice(settings, reviewer, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_EMAIL_DEFAULT = NotificationPreference.Email.DAILY
    note(reviewer, KIND.STAGE_WAITING, "Poster: Design is ready", NOW - timedelta(hours=1))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW) == 1
    assert [m.to for m in mail.outbox] == [[reviewer.email]]


def test_a_notification_already_emailed_at_once_is_not_listed_again(producer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note(producer, KIND.CHANGES_REQUESTED, "Changes requested: Teaser", NOW - timedelta(hours=4))
    notification_preference_set(user=producer, email=NotificationPreference.Email.DAILY)
    note(producer, KIND.CHANGES_REQUESTED, "Changes requested: Poster", NOW - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_digests_record(NOW) == 1
    first, digest = mail.outbox
    assert "Teaser" in first.subject and "Poster" in digest.body and "Teaser" not in digest.body


def test_the_beat_task_records_the_latest_ended_periods_digests(daily, django_capture_on_commit_callbacks):
    day, start, end = digest_period()
    note(daily, KIND.BOX_PUSH_FAILED, "Box push failed: Hero banner", end - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.email_digests.delay().get() == 1
        assert tasks.email_digests.delay().get() == 0
    [message] = mail.outbox
    assert "Box push failed: Hero banner" in message.body
    assert OutgoingEmail.objects.get().digest_date == day
