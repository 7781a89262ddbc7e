"""Browser tests: Playwright (sync API) driving the system Chromium against pytest-django's `live_server`.

Fixtures for every app's browser tests:
- `browser` (session): one headless Chromium for the run;
- `page`: a fresh context and page at a 1280x900 desktop size, closed after the test; dialogs are recorded in
  `page.dialogs` and dismissed (set `page.accept_dialogs = True` to accept confirmations); anything the
  Content-Security-Policy blocks is recorded in `page.csp_violations`, and fails the test;
- `login(page, live_server, user)`: signs a user in through the real form (factory users have the password
  "pass-for-tests-1");
- `screenshot(page, name)`: saves var/screenshots/<name>.png (full page) and returns the path.

Every test in this folder is marked `e2e` and runs against a transactional database, so the live server sees
what the test writes; the root conftest puts the migrations' seed rows back before each one.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import REQUIRE_SERVICES

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM calls from the test body are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
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
PASSWORD = "pass-for-tests-1"
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


def _chromium_or_skip() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        reason = f"Chromium not found at {CHROMIUM} (install the OS package, or set CHROMIUM_PATH)"
        if REQUIRE_SERVICES:
            pytest.fail(f"browser tests are required in CI: {reason}")
        pytest.skip(f"browser tests need the system Chromium: {reason}")
    return path


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Every dialog is recorded in `page.dialogs` (so a test can prove no injected alert() ran) and dismissed,
    # unless the test sets `page.accept_dialogs = True` before a click that asks for confirmation.
    page.dialogs = []
    page.accept_dialogs = False

    def _on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.accept() if page.accept_dialogs else dialog.dismiss()

    page.on("dialog", _on_dialog)
    # Every page carries a Content-Security-Policy: whatever it blocks (an inline script or style, an eval, a
    # remote image) is a broken page, so it fails the test that met it.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    try:
        yield page
    finally:
        context.close()
    assert page.csp_violations == [], "the Content-Security-Policy blocked something"


def _login(page, live_server, user, password: str = PASSWORD):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert reverse("login") not in page.url, "sign-in failed"
    return page


@pytest.fixture
def login():
    """`login(page, live_server, user)` signs the user in through the sign-in form and returns the page."""
    return _login


def _screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """`screenshot(page, name)` saves var/screenshots/<name>.png and returns its path."""
    return _screenshot


def wait_until(page, expression: str, arg=None, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression (or a one-argument function with `arg`) from here until it is truthy.

    Playwright's `wait_for_function` builds its polling predicate with `eval` inside the page, which the site's
    Content-Security-Policy (no 'unsafe-eval') refuses whenever the first check is not already true; `evaluate`
    runs through the browser's protocol, outside the page's CSP.
    """
    import time

    deadline = time.monotonic() + timeout
    while not (page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:g} s: {expression}")
        page.wait_for_timeout(50)
