import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import BriefFactory, UserFactory
from tracker.models import Notification, User
from tracker.services import notification_create

pytestmark = pytest.mark.django_db


def test_home_is_the_signed_in_users_landing_page(client, producer):
    client.force_login(producer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "<h1>Home</h1>" in response.content.decode()


def test_home_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("login")


def test_login_page_uses_the_stylesheet_and_brand(client, settings):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "css/tracker.css" in body
    assert escape(settings.TRACKER_BRAND_NAME) in body


def test_signing_in_lands_on_home(client, producer):
    response = client.post(reverse("login"), {"username": producer.username, "password": "pass-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_sidebar_shows_brand_colour_pending_count_and_unread_bell(client, producer, settings):
    BriefFactory.create_batch(3)
    BriefFactory(status="ACCEPTED")
    notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title="Hello")
    client.force_login(producer)
    body = client.get(reverse("briefs:inbox")).content.decode()
    assert f"background: {settings.TRACKER_SIDEBAR_COLOUR}" in body
    assert 'data-testid="pending-briefs-count">3<' in body
    assert 'data-testid="unread-count">1<' in body
    assert "htmx.min.js" in body


def test_settings_link_only_for_admins(client, producer, admin_user):
    client.force_login(producer)
    assert reverse("projects:pipelines") not in client.get(reverse("briefs:inbox")).content.decode()
    client.force_login(admin_user)
    assert reverse("projects:pipelines") in client.get(reverse("briefs:inbox")).content.decode()


def test_notifications_list_shows_only_mine(client, producer):
    other = UserFactory(role=User.Role.PRODUCER)
    notification_create(recipient=producer, kind=Notification.Kind.REVIEW_REQUESTED, title="Review the hero banner")
    notification_create(recipient=other, kind=Notification.Kind.GENERAL, title="Not for Priya")
    client.force_login(producer)
    body = client.get(reverse("notifications")).content.decode()
    assert "Review the hero banner" in body
    assert "Not for Priya" not in body


def test_mark_one_notification_read(client, producer):
    first = notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title="One")
    second = notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title="Two")
    client.force_login(producer)
    response = client.post(reverse("notifications_read"), {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_read_ignores_ids_that_are_not_ids(client, producer):
    first = notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title="One")
    client.force_login(producer)
    response = client.post(reverse("notifications_read"), {"id": ["¹", "abc", str(first.pk)]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_all_read_never_touches_someone_elses(client, producer):
    other = UserFactory(role=User.Role.PRODUCER)
    mine = notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title="Mine")
    theirs = notification_create(recipient=other, kind=Notification.Kind.GENERAL, title="Theirs")
    client.force_login(producer)
    client.post(reverse("notifications_read"), {"id": [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_read_refuses_get_and_needs_csrf(producer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    assert client.get(reverse("notifications_read")).status_code == 405
    assert client.post(reverse("notifications_read")).status_code == 403


def test_mark_read_ignores_an_offsite_next(client, producer):
    client.force_login(producer)
    response = client.post(reverse("notifications_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications")


def test_sidebar_counts_cost_two_queries(client, producer, django_assert_max_num_queries):
    client.force_login(producer)
    client.get(reverse("notifications"))
    BriefFactory.create_batch(20)
    for index in range(20):
        notification_create(recipient=producer, kind=Notification.Kind.GENERAL, title=f"n{index}")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("notifications")).status_code == 200
