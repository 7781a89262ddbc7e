"""Settings → Webhooks in the browser: an admin adds an endpoint (its secret shown once), sends a test event and
reads the answer inline, then follows a real delivery from the health bars to its detail."""

from django.urls import reverse
from playwright.sync_api import expect
from standardwebhooks import Webhook

from deliverables.models import Deliverable
from deliverables.services import deliverable_set_by_upstream
from integrations.outbound.models import OutboundEndpoint
from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tests.integrations.outbound.receiver import Receiver
from tracker.models import User


def test_admin_adds_an_endpoint_tests_it_and_reads_a_delivery(page, live_server, login, screenshot, settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1"]
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.com"
    receiver = Receiver().start()
    try:
        admin = UserFactory(username="ada", role=User.Role.ADMIN, is_staff=True)
        login(page, live_server, admin)
        page.get_by_role("link", name="Settings").click()
        page.locator(".subnav").get_by_role("link", name="Webhooks").click()
        expect(page.locator("h1")).to_have_text("Webhooks")

        form = page.get_by_test_id("endpoint-create-form")
        form.locator("#id_url").fill(receiver.url)
        form.locator("#id_description").fill("Data warehouse")
        form.get_by_label("deliverable.approved").check()
        form.get_by_label("review_session.completed").check()
        form.get_by_role("button", name="Add endpoint").click()
        secret = page.get_by_test_id("new-secret").input_value()
        assert secret.startswith("whsec_")
        expect(page.get_by_test_id("endpoint-row")).to_contain_text("Data warehouse")
        screenshot(page, "settings-webhooks-new-secret")

        page.get_by_role("link", name="Data warehouse").click()
        page.get_by_test_id("send-test").click()
        result = page.get_by_test_id("test-result")
        expect(result).to_have_attribute("data-status", "succeeded")
        expect(result).to_contain_text("HTTP 200")
        expect(result).to_contain_text('{"ok": true}')
        assert (
            Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)["event"] == "webhook.test"
        )
        assert secret not in page.content()
        screenshot(page, "settings-webhook-endpoint")

        deliverable = make_deliverable(project=ProjectFactory(name="Summer launch", omg_job_number="OMG-24017"))
        deliverable_set_by_upstream(
            deliverable=deliverable, status=Deliverable.Status.APPROVED, source="api", system="test"
        )
        assert [r.json()["event"] for r in receiver.requests] == ["webhook.test", "deliverable.approved"]

        page.goto(live_server.url + reverse("outbound:endpoints"))
        expect(page.get_by_test_id("success-rate")).to_have_text("100%")
        expect(page.get_by_test_id("health-bars").locator(".hbar.ok")).to_have_count(2)
        screenshot(page, "settings-webhooks")

        page.get_by_role("link", name="delivery log").click()
        page.select_option("#id_event", "deliverable.approved")
        page.get_by_role("button", name="Apply").click()
        rows = page.get_by_test_id("delivery-row")
        expect(rows).to_have_count(1)
        rows.first.get_by_role("link").first.click()
        expect(page.get_by_test_id("delivery-status")).to_have_text("Succeeded")
        expect(page.get_by_test_id("request-headers")).to_contain_text("v1,<redacted>")
        expect(page.get_by_test_id("delivery-body")).to_contain_text('"omgJobNumber": "OMG-24017"')
        expect(page.get_by_test_id("attempt-row")).to_have_count(1)
        screenshot(page, "settings-webhook-delivery")
        assert OutboundEndpoint.objects.get().description == "Data warehouse"
    finally:
        receiver.stop()


def test_a_producer_has_no_webhook_settings(page, live_server, login):
    producer = UserFactory(username="priya", role=User.Role.PRODUCER)
    login(page, live_server, producer)
    response = page.goto(live_server.url + reverse("outbound:endpoints"))
    assert response.status == 403
