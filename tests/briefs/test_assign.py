"""A brief given to a producer to look after: who may assign, to whom, the notification and email that reach the
assignee, the inbox's "assigned to me" filter."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefs.services import brief_assign
from tests.factories import BriefFactory, UserFactory
from tracker.errors import ConflictError, PermissionDeniedError
from tracker.models import Notification, NotificationPreference, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _email_at_once(settings):
    settings.NOTIFICATION_EMAIL_DEFAULT = NotificationPreference.Email.IMMEDIATE


def test_assigning_tells_the_assignee_in_the_app_and_by_email(producer, admin_user, django_capture_on_commit_callbacks):
    brief = BriefFactory(title="Summer campaign key visuals")
    with django_capture_on_commit_callbacks(execute=True):
        brief = brief_assign(brief=brief, actor=admin_user, assignee=producer)
    assert brief.assignee == producer
    note = Notification.objects.get(recipient=producer)
    assert (note.kind, note.title) == (Notification.Kind.ASSIGNED, "Brief assigned to you: Summer campaign key visuals")
    assert note.url == reverse("briefs:detail", args=[brief.pk])
    [message] = mail.outbox
    assert message.to == [producer.email] and "Summer campaign key visuals" in message.subject


def test_taking_a_brief_yourself_or_assigning_it_again_tells_no_one(producer, admin_user):
    brief = BriefFactory()
    brief_assign(brief=brief, actor=producer, assignee=producer)
    brief_assign(brief=brief, actor=admin_user, assignee=producer)  # unchanged
    assert not Notification.objects.exists()
    brief = brief_assign(brief=brief, actor=admin_user, assignee=None)
    assert brief.assignee is None


def test_only_triagers_assign_and_only_to_active_triagers_of_the_organisation(producer, reviewer, viewer):
    brief = BriefFactory()
    with pytest.raises(PermissionDeniedError):
        brief_assign(brief=brief, actor=viewer, assignee=producer)
    with pytest.raises(ConflictError):
        brief_assign(brief=brief, actor=producer, assignee=reviewer)  # reviewers do not triage briefs
    elsewhere = Organisation.objects.create(name="Other studio", slug="other")
    outsider = UserFactory(username="otto", role=User.Role.PRODUCER, organisation=elsewhere)
    with pytest.raises(ConflictError):
        brief_assign(brief=brief, actor=producer, assignee=outsider)
    gone = UserFactory(username="gone", role=User.Role.PRODUCER, is_active=False)
    with pytest.raises(ConflictError):
        brief_assign(brief=brief, actor=producer, assignee=gone)
    brief.refresh_from_db()
    assert brief.assignee is None


def test_the_brief_page_assigns_and_the_inbox_filters_on_it(client, producer, admin_user):
    mine, other = BriefFactory(title="Mine"), BriefFactory(title="Someone else's")
    client.force_login(admin_user)
    response = client.post(reverse("briefs:assign", args=[mine.pk]), {"assignee": producer.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.assignee == producer
    page = client.get(reverse("briefs:detail", args=[mine.pk])).content.decode()
    assert f"{producer}</dd>" in page
    client.force_login(producer)
    listed = client.get(reverse("briefs:inbox") + "?assigned=me").context["page"].object_list
    assert [brief.title for brief in listed] == ["Mine"]
    assert "Assigned to" in client.get(reverse("briefs:inbox")).content.decode()
    assert other.assignee is None


def test_a_refused_assignee_is_shown_on_the_form_and_viewers_cannot_assign(client, producer, reviewer, viewer):
    brief = BriefFactory()
    client.force_login(producer)
    response = client.post(reverse("briefs:assign", args=[brief.pk]), {"assignee": reviewer.pk})
    assert response.status_code == 400  # not one of the choices: the form refuses it
    client.force_login(viewer)
    assert client.post(reverse("briefs:assign", args=[brief.pk]), {"assignee": producer.pk}).status_code == 403
    brief.refresh_from_db()
    assert brief.assignee is None


def test_the_inbox_shows_assignees_in_a_constant_number_of_queries(client, producer):
    client.force_login(producer)
    BriefFactory(assignee=producer)
    client.get(reverse("briefs:inbox"))  # the inbox's counts and sources are cached once read
    BriefFactory()  # a new brief drops that cache, as the many below will
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("briefs:inbox"))
    for n in range(15):
        BriefFactory(assignee=UserFactory(username=f"p{n}", role=User.Role.PRODUCER))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("briefs:inbox"))
    assert len(many) == len(few)
