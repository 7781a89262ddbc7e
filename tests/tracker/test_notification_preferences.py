"""Email preferences (`/notifications/preferences/`): every user chooses the bell only, an email at once, or a daily
digest."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tracker.errors import ApplicationError
from tracker.models import NotificationPreference, User
from tracker.selectors import notification_email_mode
from tracker.services import notification_preference_set

pytestmark = pytest.mark.django_db

URL = reverse("notification_preferences")
Email = NotificationPreference.Email


@pytest.mark.parametrize("role", User.Role.values)
def test_every_role_can_choose_how_notifications_reach_them(client, role):
    user = UserFactory(username=f"u-{role.lower()}", role=role)
    client.force_login(user)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="IMMEDIATE" id="id_email_1" required checked' in html  # the default, until they choose
    assert user.email in html

    response = client.post(URL, {"email": Email.DAILY})
    assert response.status_code == 302 and response["Location"] == URL
    assert notification_email_mode(user) == Email.DAILY
    assert "Saved: one email a day (digest)." in client.get(URL).content.decode()


def test_the_page_shows_the_saved_choice_and_what_is_emailed(client, producer):
    notification_preference_set(user=producer, email=Email.NONE)
    client.force_login(producer)
    html = client.get(URL).content.decode()
    assert 'value="NONE" id="id_email_0" required checked' in html
    for label in ("Stage waiting for approval", "Changes requested", "Assigned to you", "Box push failed"):
        assert label in html
    assert "Feedback added" not in html


def test_changing_the_choice_keeps_one_row(client, producer):
    client.force_login(producer)
    client.post(URL, {"email": Email.DAILY})
    client.post(URL, {"email": Email.NONE})
    assert NotificationPreference.objects.filter(user=producer).count() == 1
    assert notification_email_mode(producer) == Email.NONE


def test_an_unknown_choice_is_refused_and_nothing_is_saved(client, producer):
    client.force_login(producer)
    response = client.post(URL, {"email": "HOURLY"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()
    with pytest.raises(ApplicationError, match="choose one of NONE, IMMEDIATE, DAILY"):
        notification_preference_set(user=producer, email="HOURLY")


def test_a_user_without_an_address_is_told_nothing_is_emailed(client, producer):
    producer.email = ""
    producer.save(update_fields=["email"])
    client.force_login(producer)
    assert 'data-testid="notification-no-address"' in client.get(URL).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_notifications_page_and_the_sidebar_link_to_the_preferences(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("notifications")).content.decode()
    assert f'href="{URL}" data-testid="notification-preferences-link"' in html
    assert f'href="{URL}" data-testid="my-email-preferences"' in html


def test_the_page_is_not_taken_for_an_admin_settings_page(client, admin_user):
    client.force_login(admin_user)
    html = client.get(URL).content.decode()
    assert 'aria-current="page">Settings</a>' not in html
