"""Django admin writes through the same services: the URL rules, the secret shown once, rotation, test, resend."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from integrations.outbound.models import OutboundDelivery, OutboundEndpoint
from tests.factories import default_organisation

from .conftest import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def _add(client, url: str, **extra):
    data = {"organisation": default_organisation().pk, "url": url, "description": "", "events": [], **extra}
    return client.post(reverse("admin:outbound_outboundendpoint_add"), data)


def test_adding_in_the_admin_goes_through_the_service_and_shows_the_secret_once(admin_client_, receiver, admin_user):
    response = _add(admin_client_, receiver.url, all_events="on", is_active="on", description="From admin")
    endpoint = OutboundEndpoint.objects.get()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert endpoint.secret in response.content.decode() and endpoint.created_by == admin_user
    page = admin_client_.get(reverse("admin:outbound_outboundendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page


def test_the_admin_refuses_a_url_the_rules_refuse(admin_client_, settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    response = _add(admin_client_, "https://[::ffff:127.0.0.1]/hook", all_events="on", is_active="on")
    assert response.status_code == 200 and "The host must be a name, not an IP address" in response.content.decode()
    assert not OutboundEndpoint.objects.exists()


def test_admin_actions_rotate_test_and_disable(admin_client_, receiver, endpoint_for):
    endpoint, old = endpoint_for(receiver.url, events=["brief.received"])
    changelist = reverse("admin:outbound_outboundendpoint_changelist")
    rotated = admin_client_.post(changelist, {"action": "rotate_secret", ACTION_CHECKBOX_NAME: [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == old and endpoint.secret in rotated.content.decode()

    admin_client_.post(changelist, {"action": "send_test", ACTION_CHECKBOX_NAME: [endpoint.pk]})
    assert receiver.requests[-1].json()["event"] == "webhook.test"

    admin_client_.post(changelist, {"action": "disable", ACTION_CHECKBOX_NAME: [endpoint.pk]})
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_admin_resends_failed_deliveries_since_a_time_and_one_delivery(
    admin_client_, receiver, endpoint_for, deliverable, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.approved"])
    approve(deliverable)
    delivery = OutboundDelivery.objects.get()
    OutboundDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    changelist = reverse("admin:outbound_outboundendpoint_changelist")
    form = admin_client_.post(changelist, {"action": "resend_failed", ACTION_CHECKBOX_NAME: [endpoint.pk]})
    assert 'name="since"' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            changelist,
            {"action": "resend_failed", ACTION_CHECKBOX_NAME: [endpoint.pk], "apply": "1", "since": "2000-01-01T00:00"},
        )
    assert OutboundDelivery.objects.get().status == "succeeded" and len(receiver.requests) == 1

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("admin:outbound_outbounddelivery_changelist"),
            {"action": "resend", ACTION_CHECKBOX_NAME: [delivery.pk]},
        )
    assert len(receiver.requests) == 2
    page = admin_client_.get(reverse("admin:outbound_outbounddelivery_change", args=[delivery.pk])).content.decode()
    assert delivery.message_id in page and "Attempt" in page
