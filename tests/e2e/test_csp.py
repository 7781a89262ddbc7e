"""The Content-Security-Policy in a real browser: it is enforced, the pages' own scripts work under it (every
browser test fails on a violation, see conftest), and a tracking pixel in a brief is never requested."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import BriefFactory, UserFactory
from tests.netfaults import silent_server
from tracker.models import User


def test_the_policy_is_enforced_an_injected_inline_script_does_not_run(page, live_server, login):
    login(page, live_server, UserFactory(username="priya", role=User.Role.PRODUCER))
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.injected = true";
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert any("script-src" in violation for violation in page.csp_violations)
    page.csp_violations.clear()  # this test wanted exactly that violation


def test_a_tracking_pixel_in_a_brief_never_loads(page, live_server, login, screenshot):
    with silent_server() as tracker_host:
        pixel = f"http://127.0.0.1:{tracker_host.port}/pixel.gif"
        brief = BriefFactory(
            title="Brief with a tracking pixel",
            description=f'Please see below.\n\n![logo]({pixel}?md=1)\n\n<img src="{pixel}?html=1" alt="raw">',
        )
        requested = []
        page.on("request", lambda request: "pixel.gif" in request.url and requested.append(request.url))
        login(page, live_server, UserFactory(username="priya", role=User.Role.PRODUCER))
        page.goto(live_server.url + reverse("briefs:detail", args=[brief.pk]))
        description = page.get_by_test_id("brief-description")
        link = description.get_by_role("link", name="logo (image not loaded)")
        expect(link).to_have_attribute("href", f"{pixel}?md=1")
        page.wait_for_timeout(300)
        assert requested == [] and tracker_host.connections == 0
        screenshot(page, "brief-tracking-pixel")


def test_the_api_docs_render_under_the_policy(page, live_server):
    page.goto(live_server.url + reverse("api_v1:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("external API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
