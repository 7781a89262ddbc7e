"""Settings → API keys in the browser: create a key, copy it with the button, revoke it."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import browser, login, page, screenshot  # noqa: F401  (the shared browser fixtures)
from tests.factories import UserFactory
from tracker.api.services import api_key_authenticate
from tracker.models import ApiKey, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_admin_creates_copies_and_revokes_a_key(live_server, page, login, screenshot):  # noqa: F811
    admin = UserFactory(username="ada", role=User.Role.ADMIN)
    login(page, live_server, admin)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + reverse("api_keys"))
    page.fill("#id_name", "OMG sync")
    page.check("input[name=scopes][value='projects:write']")
    page.click("[data-testid=api-key-create-form] button[type=submit]")

    secret = page.input_value("[data-testid=new-api-key]")
    assert secret.startswith("st_")
    page.click("[data-testid=copy-key]")
    page.wait_for_selector("[data-copied]:not([hidden])")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, "api-keys-created")
    key = ApiKey.objects.get(name="OMG sync")
    assert sorted(key.scopes) == ["projects:read", "projects:write"]
    assert api_key_authenticate(secret=secret) == key

    # Shown once: the list page never has it again.
    page.goto(live_server.url + reverse("api_keys"))
    assert secret not in page.content()
    assert page.locator("[data-testid=api-key-row]").count() == 1

    # Revoking asks first; declining keeps the key.
    page.click("text=Revoke")
    assert page.dialogs and "Revoke" in page.dialogs[-1]
    key.refresh_from_db()
    assert key.revoked_at is None
    page.evaluate("window.confirm = () => true")
    with page.expect_navigation():
        page.click("text=Revoke")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_key_authenticate(secret=secret) is None
    assert page.locator("[data-testid=api-key-row]", has_text="Revoked").count() == 1
    screenshot(page, "api-keys-revoked")
