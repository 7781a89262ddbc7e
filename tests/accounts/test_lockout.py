"""Brute force: failures are counted per account and per source address; the limit locks; the lockout ends by
itself; the answer never tells whether the account exists; an admin unlocks."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.lockout import locked_usernames
from accounts.models import LoginEvent
from tests.accounts.conftest import ATTACKER_IP, OTHER_IP

pytestmark = pytest.mark.django_db
PASSWORD = "pass-for-tests-1"


def post_login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_the_right_password_after_the_limit_is_refused_with_when_to_try_again(producer):
    client = Client(REMOTE_ADDR=ATTACKER_IP)
    for _ in range(2):
        assert post_login(client, "priya", "wrong").status_code == 200
    third = post_login(client, "priya", "wrong")
    assert third.status_code == 429
    response = post_login(client, "priya", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins" in body and "Try again after" in body
    assert "_auth_user_id" not in client.session
    assert locked_usernames(["priya", "rui"]) == {"priya"}
    events = list(LoginEvent.objects.filter(user=producer).values_list("kind", flat=True))
    assert events.count(LoginEvent.Kind.LOCKED_OUT) == 1
    assert events.count(LoginEvent.Kind.LOGIN_FAILED) == 4


def test_an_unknown_name_gets_the_same_answer_as_a_real_one(producer):
    real, unknown = Client(REMOTE_ADDR=ATTACKER_IP), Client(REMOTE_ADDR=OTHER_IP)
    answers = []
    for client, name in ((real, "priya"), (unknown, "nobody-here")):
        for _ in range(3):
            response = post_login(client, name, "wrong")
        answers.append((response.status_code, response.content.decode().replace(name, "NAME")))
    assert answers[0][0] == answers[1][0] == 429
    # The two pages are the same but for the minute to try again after.
    assert re.sub(r"\d\d:\d\d", "HH:MM", answers[0][1]) == re.sub(r"\d\d:\d\d", "HH:MM", answers[1][1])


def test_the_account_is_counted_across_addresses_and_the_address_across_accounts(producer, reviewer):
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        post_login(Client(REMOTE_ADDR=address), "priya", "wrong")
    assert post_login(Client(REMOTE_ADDR="198.51.100.4"), "priya", PASSWORD).status_code == 429
    # From one address, three different names lock the address, even for a fourth with its right password.
    client = Client(REMOTE_ADDR=OTHER_IP)
    for name in ("a", "b", "c"):
        post_login(client, name, "wrong")
    assert post_login(client, "rui", PASSWORD).status_code == 429
    assert post_login(Client(REMOTE_ADDR="198.51.100.9"), "rui", PASSWORD).status_code == 302
    from accounts.lockout import lockout_clear

    lockout_clear(username="", ip_addresses=["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"])


def seconds_to_expiry(key: str) -> float:
    """How long the cache keeps an entry: the lockout ends when its counters expire, with nobody acting."""
    from django.core.cache import cache

    stored = cache.make_key(key)
    if hasattr(cache, "_expire_info"):  # local memory
        return cache._expire_info[stored] - time.time()
    return cache._cache.get_client(stored).ttl(stored)  # Redis


def test_the_lockout_expires_by_itself_after_the_cool_off(producer, settings):
    from axes.helpers import make_cache_key_list

    client = Client(REMOTE_ADDR=ATTACKER_IP)
    for _ in range(3):
        post_login(client, "priya", "wrong")
    assert post_login(client, "priya", PASSWORD).status_code == 429
    cool_off = settings.AXES_COOLOFF_TIME.total_seconds()
    for key in make_cache_key_list([{"username": "priya"}, {"ip_address": ATTACKER_IP}]):
        assert 0 < seconds_to_expiry(key) <= cool_off


def test_the_admin_login_is_covered_too(admin_user):
    client = Client(REMOTE_ADDR=ATTACKER_IP)
    url = reverse("admin:login")
    for _ in range(3):
        post_login(client, "ada", "wrong", url)
    response = post_login(client, "ada", PASSWORD, url)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.LOCKED_OUT, channel="admin").count() == 1


def test_an_admin_unlocks_from_the_users_page(admin_user, producer):
    client = Client(REMOTE_ADDR=ATTACKER_IP)
    for _ in range(3):
        post_login(client, "priya", "wrong")
    admin = Client(REMOTE_ADDR=OTHER_IP)
    admin.force_login(admin_user)
    page = admin.get(reverse("accounts:users")).content.decode()
    assert 'data-testid="locked-badge"' in page
    response = admin.post(reverse("accounts:user_unlock", args=[producer.pk]))
    assert response.status_code == 302
    assert locked_usernames(["priya"]) == set()
    # The address it was locked out from is cleared with it: the person can sign in from their desk again.
    assert post_login(client, "priya", PASSWORD).status_code == 302
    unlocked = LoginEvent.objects.get(kind=LoginEvent.Kind.UNLOCKED)
    assert unlocked.actor == admin_user and unlocked.detail == {"addresses": [ATTACKER_IP]}


def test_a_successful_sign_in_clears_the_count(producer):
    client = Client(REMOTE_ADDR=ATTACKER_IP)
    for _ in range(2):
        post_login(client, "priya", "wrong")
    assert post_login(client, "priya", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        post_login(client, "priya", "wrong")
    assert post_login(client, "priya", PASSWORD).status_code == 302


def test_client_login_without_a_request_still_works(producer):
    assert Client().login(username="priya", password=PASSWORD)


def test_django_admin_lists_failures_for_names_nobody_has(admin_user):
    Client(REMOTE_ADDR=ATTACKER_IP).post(reverse("login"), {"username": "nobody-here", "password": "wrong"})
    client = Client()
    client.force_login(admin_user)
    body = client.get(reverse("admin:accounts_loginevent_changelist")).content.decode()
    assert "nobody-here" in body and ATTACKER_IP in body


def test_with_the_cache_down_sign_in_still_works_and_is_never_a_500(producer, admin_user, settings):
    """The lockout counts in the shared cache; while it does not answer, passwords are checked, only not counted."""
    working = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    try:
        client = Client(REMOTE_ADDR=ATTACKER_IP)
        assert post_login(client, "priya", "wrong").status_code == 200  # the form again, with its error
        assert post_login(client, "priya", PASSWORD).status_code == 302
        admin = Client()
        admin.force_login(admin_user)
        assert admin.get(reverse("accounts:users")).status_code == 200  # lockouts unknown, the page still shows
    finally:
        settings.CACHES = working  # before the fixture clears the counters
