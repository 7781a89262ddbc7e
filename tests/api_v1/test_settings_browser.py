"""Settings → API keys in the browser: create a key, copy it with the button, revoke it.

Playwright's sync API runs an asyncio loop in the thread that starts it, and Django then gives that thread
fresh database connections. So the browser runs in its own thread here: the test's thread keeps its
connection (and the serialized-rollback restore every later transactional test relies on).
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import REQUIRE_SERVICES
from tests.factories import UserFactory
from tracker.api.services import api_key_authenticate
from tracker.models import ApiKey, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if REQUIRE_SERVICES:
            pytest.fail("browser tests are required in CI: Chromium not found")
        pytest.skip("needs the system Chromium (set CHROMIUM_PATH)")
    return path


def in_browser(flow):
    """Run `flow(page)` in a fresh Chromium on its own thread; returns what it returns, re-raises what it raises."""
    executable = _chromium()
    outcome: dict = {}

    def run():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
                context.set_default_timeout(10_000)
                try:
                    outcome["value"] = flow(context.new_page())
                finally:
                    browser.close()
        except BaseException as error:  # handed back to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_admin_creates_copies_and_revokes_a_key(live_server):
    admin = UserFactory(username="ada", role=User.Role.ADMIN)
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def flow(page):
        seen = {}
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page.goto(base + reverse("login"))
        page.fill("#id_username", admin.username)
        page.fill("#id_password", "pass-for-tests-1")
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.goto(base + reverse("api_keys"))
        page.fill("#id_name", "OMG sync")
        page.check("input[name=scopes][value='projects:write']")
        page.click("[data-testid=api-key-create-form] button[type=submit]")

        seen["secret"] = page.input_value("[data-testid=new-api-key]")
        page.click("[data-testid=copy-key]")
        page.wait_for_selector("[data-copied]:not([hidden])")
        seen["clipboard"] = page.evaluate("navigator.clipboard.readText()")
        page.screenshot(path=str(SCREENSHOTS / "api-keys-created.png"), full_page=True)

        page.goto(base + reverse("api_keys"))
        seen["list_after_reload"] = page.content()
        seen["rows"] = page.locator("[data-testid=api-key-row]").count()

        dialogs = []
        page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.click("text=Revoke")
        seen["declined_dialog"] = list(dialogs)
        seen["revoked_after_decline"] = page.locator("[data-testid=api-key-row]", has_text="Revoked").count()

        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.click("text=Revoke")
        seen["revoked_rows"] = page.locator("[data-testid=api-key-row]", has_text="Revoked").count()
        page.screenshot(path=str(SCREENSHOTS / "api-keys-revoked.png"), full_page=True)
        return seen

    seen = in_browser(flow)

    secret = seen["secret"]
    assert secret.startswith("st_")
    assert seen["clipboard"] == secret
    # Shown once: the list never has it again.
    assert secret not in seen["list_after_reload"]
    assert seen["rows"] == 1
    # Revoking asks first; declining kept the key, accepting revoked it.
    assert seen["declined_dialog"] and "Revoke" in seen["declined_dialog"][0]
    assert seen["revoked_after_decline"] == 0
    assert seen["revoked_rows"] == 1
    key = ApiKey.objects.get(name="OMG sync")
    assert sorted(key.scopes) == ["projects:read", "projects:write"]
    assert key.revoked_at is not None
    assert api_key_authenticate(secret=secret) is None
