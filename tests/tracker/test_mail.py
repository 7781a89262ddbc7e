"""Email for the notifications that need action: recorded with the notification, sent by Celery after commit
(eager here), retried, swept, and never sent to someone who chose the bell only or was deactivated."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from deliverables.services import deliverable_report_step, deliverable_update, deliverable_upsert
from tests.factories import ProjectFactory, UserFactory, advance_to, make_deliverable
from tracker import tasks
from tracker.errors import ConflictError
from tracker.mail.outbox import email_deliver, email_send_again, emails_sweep
from tracker.models import Notification, NotificationPreference, OutgoingEmail, User
from tracker.services import notification_create, notification_preference_set

pytestmark = pytest.mark.django_db

PUBLIC = "https://tracker.example.com"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.TRACKER_PUBLIC_URL = PUBLIC
    settings.DEFAULT_FROM_EMAIL = "Studio Tracker <tracker@studio.example>"
    settings.NOTIFICATION_EMAIL_DEFAULT = NotificationPreference.Email.IMMEDIATE


def open_link(notification: Notification) -> str:
    return PUBLIC + reverse("notification_open", args=[notification.pk])


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def failing_send(monkeypatch, error=OSError("connection refused")):
    def refuse(self, fail_silently=False):
        raise error

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)


def test_an_assigned_deliverable_emails_the_assignee_with_an_absolute_link(
    producer, admin_user, django_capture_on_commit_callbacks
):
    deliverable = make_deliverable(ProjectFactory(name="Spring launch"), "Hero banner")
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_update(deliverable=deliverable, actor=admin_user, assignee=producer)

    note = Notification.objects.get(recipient=producer, kind=Notification.Kind.ASSIGNED)
    assert note.title == "Assigned to you: Hero banner"
    assert note.body == f"Spring launch: assigned to you by {admin_user}."
    [message] = mail.outbox
    assert message.to == [producer.email] and message.from_email == "Studio Tracker <tracker@studio.example>"
    assert message.subject == "[L'Oréal Studio Tracker] Assigned to you: Hero banner"
    link = open_link(note)
    assert link.startswith(f"{PUBLIC}/loreal-prod-tracker/notifications/")
    assert link in message.body and "Spring launch: assigned to you" in message.body
    assert f'href="{link}"' in html_of(message) and "Assigned to you: Hero banner" in html_of(message)
    assert PUBLIC + reverse("notification_preferences") in message.body
    email = OutgoingEmail.objects.get()
    assert (email.notification, email.status, email.attempts, email.to) == (note, "SENT", 1, producer.email)


def test_the_emailed_link_marks_the_notification_read_and_opens_the_deliverable(
    client, producer, admin_user, django_capture_on_commit_callbacks
):
    deliverable = make_deliverable(name="Hero banner")
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_update(deliverable=deliverable, actor=admin_user, assignee=producer)
    note = Notification.objects.get(recipient=producer, kind=Notification.Kind.ASSIGNED)
    client.force_login(producer)
    response = client.get(open_link(note).removeprefix(PUBLIC))
    assert response.status_code == 302 and response["Location"] == reverse("deliverables:detail", args=[deliverable.pk])
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_upstream_system_assigning_a_deliverable_tells_the_assignee(
    producer, reviewer, django_capture_on_commit_callbacks
):
    project = ProjectFactory(name="Spring launch")
    with django_capture_on_commit_callbacks(execute=True):
        deliverable, _ = deliverable_upsert(project=project, name="Hero banner", assignee=producer, system="OMG")
        deliverable_upsert(project=project, name="Hero banner", assignee=producer, system="OMG")  # unchanged
        deliverable_upsert(project=project, name="Hero banner", assignee=reviewer, system="OMG")
    mine = Notification.objects.get(recipient=producer, kind=Notification.Kind.ASSIGNED)
    assert mine.body == "Spring launch: assigned to you." and mine.url == reverse(
        "deliverables:detail", args=[deliverable.pk]
    )
    assert Notification.objects.filter(recipient=reviewer, kind=Notification.Kind.ASSIGNED).count() == 1
    assert [m.to for m in mail.outbox] == [[producer.email], [reviewer.email]]


def test_assigning_yourself_or_keeping_the_assignee_tells_no_one(producer, django_capture_on_commit_callbacks):
    deliverable = make_deliverable(name="Hero banner")
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_update(deliverable=deliverable, actor=producer, assignee=producer)
        deliverable_update(deliverable=deliverable, actor=producer, notes="same assignee", assignee=producer)
    assert not Notification.objects.filter(kind=Notification.Kind.ASSIGNED).exists()
    assert mail.outbox == []


def test_a_stage_waiting_for_approval_emails_the_projects_owner(
    producer, admin_user, django_capture_on_commit_callbacks
):
    deliverable = make_deliverable(ProjectFactory(owner=producer), "AW2130146")
    advance_to(deliverable, "internal-review", admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_report_step(deliverable=deliverable, stage_name="Internal Review", system="Creative Force")

    note = Notification.objects.get(recipient=producer, kind=Notification.Kind.STAGE_WAITING)
    [message] = mail.outbox
    assert message.to == [producer.email]
    assert message.subject == "[L'Oréal Studio Tracker] AW2130146: Internal Review is ready for an approval"
    assert "Creative Force reported the work of Internal Review done." in message.body
    assert open_link(note) in message.body and open_link(note) in html_of(message)


def test_kinds_that_need_no_action_stay_in_the_app(producer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for kind in (Notification.Kind.REVIEW_PASSED, Notification.Kind.FEEDBACK_ADDED, Notification.Kind.GENERAL):
            notification_create(recipient=producer, kind=kind, title="FYI")
    assert Notification.objects.filter(recipient=producer).count() == 3
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_a_user_who_chose_the_app_only_gets_no_email(producer, django_capture_on_commit_callbacks):
    notification_preference_set(user=producer, email=NotificationPreference.Email.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested: X")
    assert Notification.objects.filter(recipient=producer).count() == 1
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_the_default_for_users_without_a_choice_is_a_setting(settings, producer, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_EMAIL_DEFAULT = NotificationPreference.Email.NONE
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested: X")
    assert mail.outbox == []


def test_a_deactivated_user_or_one_without_an_address_gets_no_email(django_capture_on_commit_callbacks):
    gone = UserFactory(username="gone", is_active=False)
    silent = UserFactory(username="silent", email="")
    with django_capture_on_commit_callbacks(execute=True):
        for user in (gone, silent):
            notification_create(recipient=user, kind=Notification.Kind.BOX_PUSH_FAILED, title="Box push failed: X")
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_a_user_deactivated_before_the_send_is_skipped(producer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    User.objects.filter(pk=producer.pk).update(is_active=False)
    for callback in callbacks:
        callback()
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SKIPPED and "deactivated" in email.last_error
    assert mail.outbox == []


def test_the_email_is_recorded_with_the_notification_and_sent_only_after_commit(
    producer, django_capture_on_commit_callbacks
):
    """Recorded first: when the change commits there is a PENDING row and nothing has been sent yet; the send is
    the after-commit callback (and, if that is lost, the sweep)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.to) == (OutgoingEmail.Status.PENDING, 0, producer.email)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and len(mail.outbox) == 1


def test_the_task_sends_a_recorded_email_once(producer):
    notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    email = OutgoingEmail.objects.get()
    assert tasks.email_send.delay(email.pk).get() == OutgoingEmail.Status.SENT
    assert tasks.email_send.delay(email.pk).get() == ""  # already sent: nothing to do
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.sent_at is not None


def test_a_refused_send_waits_and_tries_again_then_fails(settings, monkeypatch, producer):
    settings.EMAIL_MAX_ATTEMPTS = 2
    notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    email = OutgoingEmail.objects.get()
    failing_send(monkeypatch)

    assert email_deliver(message_id=email.pk) == OutgoingEmail.Status.PENDING
    email.refresh_from_db()
    assert email.attempts == 1 and "connection refused" in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=settings.EMAIL_RETRY_BACKOFF_SECONDS - 5)
    assert email_deliver(message_id=email.pk) == ""  # not due yet (the retry's message came early)

    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_deliver(message_id=email.pk) == OutgoingEmail.Status.FAILED
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 2)
    assert mail.outbox == []


def test_the_sweep_sends_what_a_lost_message_left_pending(settings, producer):
    notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    email = OutgoingEmail.objects.get()
    assert emails_sweep() == 0  # just recorded: its own message is still on the way
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.EMAIL_SWEEP_GRACE_SECONDS + 1)
    )
    assert tasks.emails_sweep.delay().get() == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and len(mail.outbox) == 1
    assert emails_sweep() == 0


def test_the_sweep_takes_back_a_send_whose_worker_died(producer):
    notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    email = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENDING, attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    assert emails_sweep() == 0  # the lease still runs: another worker is sending it
    OutgoingEmail.objects.filter(pk=email.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert emails_sweep() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 2)


def test_a_failed_email_can_be_sent_again_by_an_admin(monkeypatch, settings, producer):
    settings.EMAIL_MAX_ATTEMPTS = 1
    notification_create(recipient=producer, kind=Notification.Kind.CHANGES_REQUESTED, title="Changes requested")
    email = OutgoingEmail.objects.get()
    with monkeypatch.context() as patch:
        failing_send(patch)
        assert email_deliver(message_id=email.pk) == OutgoingEmail.Status.FAILED
    email_send_again(message_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 0)
    assert email_deliver(message_id=email.pk) == OutgoingEmail.Status.SENT
    with pytest.raises(ConflictError, match="only a failed or skipped email"):
        email_send_again(message_id=email.pk)
