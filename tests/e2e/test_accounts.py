"""Accounts in the browser: the lockout and its message, a password reset by e-mail, an invitation and the first
sign-ins, single sign-on against a fake provider."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory
from tracker.models import User

PASSWORD = "pass-for-tests-1"


@pytest.fixture(autouse=True)
def fresh_lockouts(settings):
    """The browser signs in from 127.0.0.1, as every browser test does: leave no failures counted for it."""
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_three_wrong_passwords_lock_the_account_with_a_plain_message(page, live_server, screenshot):
    UserFactory(username="priya", role=User.Role.PRODUCER)
    for _ in range(2):
        sign_in(page, live_server, "priya", "wrong")
        expect(page.locator(".form-errors")).to_contain_text("didn't match")
    sign_in(page, live_server, "priya", "wrong")
    message = page.get_by_test_id("locked-out")
    expect(message).to_contain_text("Try again after")
    sign_in(page, live_server, "priya", PASSWORD)
    expect(page.get_by_test_id("locked-out")).to_contain_text("paused for 15 minutes")
    assert reverse("login") in page.url
    screenshot(page, "accounts-locked-out")


def test_reset_a_forgotten_password_by_email(page, live_server, settings, screenshot):
    settings.TRACKER_PUBLIC_URL = live_server.url
    UserFactory(username="priya", email="priya@studio.example", role=User.Role.PRODUCER)
    page.goto(live_server.url + reverse("login"))
    page.get_by_test_id("forgot-password").click()
    page.fill("#id_email", "priya@studio.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"(http://\S+/password-reset/\S+)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.fill("#id_new_password1", "a-fresh-password-8")
    page.fill("#id_new_password2", "a-fresh-password-8")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_test_id("reset-complete")).to_be_visible()
    screenshot(page, "accounts-password-reset-complete")
    sign_in(page, live_server, "priya", "a-fresh-password-8")
    expect(page.locator("h1")).not_to_have_text("Sign in")
    assert reverse("login") not in page.url


def test_an_admin_invites_someone_who_sets_a_password_and_signs_in(
    page, browser, live_server, login, settings, screenshot
):
    settings.TRACKER_PUBLIC_URL = live_server.url
    admin = UserFactory(username="olga", role=User.Role.ADMIN)
    login(page, live_server, admin)
    page.get_by_role("link", name="Settings").click()
    page.locator(".subnav").get_by_role("link", name="Users").click()
    expect(page.locator("h1")).to_have_text("Users")
    form = page.get_by_test_id("invite-form")
    form.locator("#id_email").fill("new.reviewer@studio.example")
    form.locator("#id_role").select_option("REVIEWER")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("invitation-row")).to_contain_text("new.reviewer@studio.example")
    screenshot(page, "accounts-users-page")
    link = re.search(r"(http://\S+/invitations/\S+/)", mail.outbox[0].body).group(1)

    invitee = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        invitee.goto(link)
        invitee.fill("#id_username", "newrev")
        invitee.fill("#id_first_name", "Nia")
        invitee.fill("#id_password1", "reviewing-is-fun-3")
        invitee.fill("#id_password2", "reviewing-is-fun-3")
        invitee.get_by_role("button", name="Create my account").click()
        expect(invitee.locator(".messages")).to_contain_text("Welcome")
        # Signed out, the new password signs them in again.
        invitee.context.clear_cookies()
        sign_in(invitee, live_server, "newrev", "reviewing-is-fun-3")
        assert reverse("login") not in invitee.url
    finally:
        invitee.context.close()
    assert User.objects.get(username="newrev").role == User.Role.REVIEWER
    page.reload()
    expect(page.get_by_test_id("user-row").filter(has_text="newrev")).to_be_visible()
    expect(page.get_by_test_id("audit-table")).to_contain_text("Invitation accepted")


def test_sign_in_with_single_sign_on(page, live_server, settings, screenshot):
    from tests.accounts.fake_oidc import FakeProvider, configure

    provider = FakeProvider().start()
    try:
        configure(settings, provider)
        UserFactory(username="priya", email="priya@studio.example", role=User.Role.PRODUCER)
        provider.claims = {"email": "priya@studio.example", "email_verified": True}
        page.goto(live_server.url + reverse("login"))
        screenshot(page, "accounts-login-with-sso")
        page.get_by_test_id("sso-login").click()
        page.wait_for_url(re.compile(re.escape(live_server.url) + r".*/$"))
        assert reverse("login") not in page.url
        expect(page.locator(".sidebar")).to_be_visible()
    finally:
        provider.stop()
