"""Password reset by e-mail, password change, sessions: the same answer for any address, rate limits, links that
expire, other sessions ended, the idle timeout."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.middleware import LAST_SEEN
from accounts.models import AccessPolicy, LoginEvent
from tests.accounts.conftest import ATTACKER_IP, OTHER_IP

pytestmark = pytest.mark.django_db
PASSWORD = "pass-for-tests-1"


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


def test_the_login_page_offers_forgot_password(client):
    body = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in body


def test_same_answer_whether_or_not_the_address_is_known(producer, settings):
    settings.TRACKER_PUBLIC_URL = "http://testserver"
    known = Client(REMOTE_ADDR=ATTACKER_IP).post(reverse("password_reset"), {"email": producer.email})
    unknown = Client(REMOTE_ADDR=OTHER_IP).post(reverse("password_reset"), {"email": "nobody@studio.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [producer.email]
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.PASSWORD_RESET_REQUESTED).count() == 2


def test_reset_by_link_sets_the_password_ends_sessions_and_the_link_works_once(producer, settings):
    settings.TRACKER_PUBLIC_URL = "http://testserver"
    old_session = signed_in("priya")
    Client(REMOTE_ADDR=ATTACKER_IP).post(reverse("password_reset"), {"email": producer.email})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    browser = Client()
    form = browser.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = browser.post(set_url, {"new_password1": "brand-new-pass-7", "new_password2": "brand-new-pass-7"})
    assert done.status_code == 302
    assert old_session.get(reverse("home")).status_code == 302  # signed out
    assert Client().post(reverse("login"), {"username": "priya", "password": PASSWORD}).status_code == 200
    signed_in("priya", "brand-new-pass-7")
    again = Client().get(link, follow=True)
    assert 'data-testid="reset-link-invalid"' in again.content.decode()
    events = list(LoginEvent.objects.filter(user=producer).values_list("kind", "detail"))
    assert (LoginEvent.Kind.PASSWORD_RESET, {}) in events
    assert "brand-new-pass-7" not in str(events) and link not in str(events)


def test_the_reset_link_expires(producer, settings):
    settings.TRACKER_PUBLIC_URL = "http://testserver"
    Client(REMOTE_ADDR=ATTACKER_IP).post(reverse("password_reset"), {"email": producer.email})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is older than this
    assert 'data-testid="reset-link-invalid"' in Client().get(link, follow=True).content.decode()


def test_reset_requests_are_limited_per_address_and_per_email(producer, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    attacker = Client(REMOTE_ADDR=ATTACKER_IP)
    for index in range(2):
        assert attacker.post(reverse("password_reset"), {"email": f"x{index}@a.example"}).status_code == 302
    limited = attacker.post(reverse("password_reset"), {"email": "x9@a.example"})
    assert limited.status_code == 429 and 'data-testid="reset-rate-limited"' in limited.content.decode()
    # One inbox from many addresses: limited by the e-mail address too.
    for index in range(2):
        Client(REMOTE_ADDR=f"198.51.100.{20 + index}").post(reverse("password_reset"), {"email": "victim@a.example"})
    assert (
        Client(REMOTE_ADDR="198.51.100.30").post(reverse("password_reset"), {"email": "victim@a.example"}).status_code
        == 429
    )


def test_no_reset_mail_for_an_organisation_on_single_sign_on_only(producer):
    AccessPolicy.objects.create(organisation=producer.organisation, password_login=False)
    Client(REMOTE_ADDR=ATTACKER_IP).post(reverse("password_reset"), {"email": producer.email})
    assert mail.outbox == []
    assert Client().post(reverse("login"), {"username": "priya", "password": PASSWORD}).status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(producer):
    other = signed_in("priya")
    this = signed_in("priya")
    response = this.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-pass-99", "new_password2": "another-pass-99"},
    )
    assert response.status_code == 302
    assert this.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302
    assert not Session.objects.filter(session_key=other.cookies["sessionid"].value).exists()
    assert LoginEvent.objects.filter(user=producer, kind=LoginEvent.Kind.PASSWORD_CHANGED).count() == 1


def test_an_idle_session_is_signed_out(producer, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
    client = signed_in("priya")
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 601
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert "without activity" in client.get(response["Location"]).content.decode()
    assert LoginEvent.objects.filter(user=producer, kind=LoginEvent.Kind.IDLE_TIMEOUT).count() == 1


def test_a_session_in_use_stays_signed_in(producer, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
    client = signed_in("priya")
    session = client.session
    session[LAST_SEEN] = time.time() - 599
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_SEEN] > time.time() - 60  # the clock moved on
