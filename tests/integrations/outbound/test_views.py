"""Settings → Webhooks: adding an endpoint (secret shown once), its page, the test button inline, rotation, resend,
the delivery log with its filters, a delivery's detail with the signatures redacted; admins only, own organisation."""

import pytest
from django.urls import reverse

from deliverables.services import deliverable_set_by_upstream
from integrations.outbound.models import OutboundDelivery, OutboundEndpoint
from integrations.outbound.services import outbound_delivery_attempt
from tracker.models import Organisation

from .conftest import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_settings_menu_lists_webhooks(signed_in):
    page = signed_in.get(reverse("outbound:endpoints")).content.decode()
    assert f'href="{reverse("outbound:endpoints")}" class="on">Webhooks</a>' in page


def test_adding_an_endpoint_shows_its_secret_once(signed_in, receiver):
    response = signed_in.post(
        reverse("outbound:endpoints"),
        {"url": receiver.url, "description": "Data warehouse", "events": ["deliverable.approved"], "is_active": "on"},
    )
    page = response.content.decode()
    endpoint = OutboundEndpoint.objects.get()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    assert endpoint.events == ["deliverable.approved"] and endpoint.is_active
    assert endpoint.secret not in signed_in.get(reverse("outbound:endpoints")).content.decode()
    assert endpoint.secret not in signed_in.get(reverse("outbound:endpoint", args=[endpoint.pk])).content.decode()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://hooks.partner.example/x", "The URL must use https."),
        ("https://2130706433/", "The host must be a name, not an IP address."),
        ("https://x.localtest.me/", "The host &#x27;x.localtest.me&#x27; is not allowed"),
    ],
)
def test_a_refused_url_is_shown_on_its_field(signed_in, url, error, dns, settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    response = signed_in.post(reverse("outbound:endpoints"), {"url": url, "all_events": "on", "is_active": "on"})
    assert response.status_code == 400 and error in response.content.decode()
    assert not OutboundEndpoint.objects.exists()


def test_choosing_no_event_is_refused(signed_in, receiver):
    response = signed_in.post(reverse("outbound:endpoints"), {"url": receiver.url, "is_active": "on"})
    assert response.status_code == 400 and "Choose at least one event" in response.content.decode()


def test_the_list_shows_each_endpoints_health(signed_in, receiver, endpoint_for, deliverable):
    endpoint, _ = endpoint_for(receiver.url, events=["deliverable.status_changed"], description="Warehouse")
    receiver.answer(500)
    approve(deliverable)
    deliverable_set_by_upstream(
        deliverable=deliverable, status="ON_HOLD", source="api", system="test"
    )  # a second status change, after the first
    first, second = OutboundDelivery.objects.order_by("id")
    outbound_delivery_attempt(delivery_id=first.pk)  # 500
    OutboundDelivery.objects.filter(pk=first.pk).update(next_attempt_at=first.created_at)
    outbound_delivery_attempt(delivery_id=first.pk)  # 200
    outbound_delivery_attempt(delivery_id=second.pk)  # 200

    page = signed_in.get(reverse("outbound:endpoints")).content.decode()
    assert "Warehouse" in page and 'data-testid="success-rate">67%' in page
    assert page.count('class="hbar ok"') == 2 and page.count('class="hbar bad"') == 1
    assert "HTTP 200" in page


def test_the_endpoint_page_sends_a_test_event_and_shows_the_answer_inline(signed_in, receiver, endpoint_for):
    endpoint, _ = endpoint_for(receiver.url, events=["brief.received"])
    receiver.answer(200, body=b'{"received": "yes"}')
    url = reverse("outbound:endpoint_test", args=[endpoint.pk])
    response = signed_in.post(url, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<div id="test-result"')
    assert 'data-status="succeeded"' in page and 'data-testid="test-status-code">200' in page
    assert "{&quot;received&quot;: &quot;yes&quot;}" in page
    # Without htmx: the endpoint's page, with the answer in it.
    receiver.answer(503, body=b"down for maintenance")
    page = signed_in.post(url).content.decode()
    assert 'data-status="failed"' in page and "down for maintenance" in page and "endpoint-edit-form" in page


def test_rotating_shows_the_new_secret_once_and_the_overlap(signed_in, receiver, endpoint_for):
    endpoint, old = endpoint_for(receiver.url, events=["brief.received"])
    page = signed_in.post(reverse("outbound:endpoint_rotate", args=[endpoint.pk])).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old and endpoint.secret in page
    later = signed_in.get(reverse("outbound:endpoint", args=[endpoint.pk])).content.decode()
    assert 'data-testid="rotation-overlap"' in later and endpoint.secret not in later and old not in later


def test_editing_disabling_and_enabling_an_endpoint(signed_in, receiver, endpoint_for):
    endpoint, _ = endpoint_for(receiver.url, events=["brief.received"])
    response = signed_in.post(
        reverse("outbound:endpoint", args=[endpoint.pk]),
        {"url": receiver.url + "/v2", "description": "v2", "all_events": "on"},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.all_events) == (receiver.url + "/v2", True)

    signed_in.post(reverse("outbound:endpoint_disable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason.startswith("disabled by")
    page = signed_in.get(reverse("outbound:endpoints")).content.decode()
    assert 'data-active="no"' in page and "Enable</button>" in page
    signed_in.post(reverse("outbound:endpoint_enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_the_delivery_log_filters_by_event_status_and_time(signed_in, receiver, endpoint_for, deliverable):
    endpoint_for(receiver.url, all_events=True)
    approve(deliverable)
    url = reverse("outbound:deliveries")
    page = signed_in.get(url).content.decode()
    assert page.count('data-testid="delivery-row"') == 2
    page = signed_in.get(url, {"event": "deliverable.approved"}).content.decode()
    assert page.count('data-testid="delivery-row"') == 1 and 'data-event="deliverable.approved"' in page
    page = signed_in.get(url, {"status": "succeeded"}).content.decode()
    assert 'data-testid="delivery-row"' not in page and "No deliveries match these filters" in page
    page = signed_in.get(url, {"since": "2000-01-01T00:00", "until": "2000-01-02T00:00"}).content.decode()
    assert 'data-testid="delivery-row"' not in page
    page = signed_in.get(url, {"period": "1h", "event": "nonsense"}).content.decode()
    assert page.count('data-testid="delivery-row"') == 2  # an invalid filter is dropped, not an error


def test_a_deliverys_page_shows_headers_without_signatures_the_body_and_every_attempt(
    signed_in, receiver, endpoint_for, deliverable, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url, events=["deliverable.approved"])
    receiver.answer(500, body=b"exploded")
    approve(deliverable)
    delivery = OutboundDelivery.objects.get()
    outbound_delivery_attempt(delivery_id=delivery.pk)
    OutboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    outbound_delivery_attempt(delivery_id=delivery.pk)

    page = signed_in.get(reverse("outbound:delivery", args=[delivery.pk])).content.decode()
    assert page.count('data-testid="attempt-row"') == 2 and "exploded" in page
    assert "v1,&lt;redacted&gt;" in page and "sha256=&lt;redacted&gt;" in page
    sent = receiver.requests[-1]
    assert sent.header("webhook-signature").split(",", 1)[1] not in page
    assert delivery.message_id in page and "&quot;event&quot;: &quot;deliverable.approved&quot;" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("outbound:delivery_resend", args=[delivery.pk]))
    assert response.status_code == 302
    assert OutboundDelivery.objects.get().attempts == 3


def test_others_get_403_and_another_organisations_endpoint_is_404(client, producer, admin_user, receiver, endpoint_for):
    theirs = Organisation.objects.create(name="Other Studio", slug="other")
    endpoint, _ = endpoint_for(receiver.url, all_events=True, organisation=theirs)
    client.force_login(producer)
    assert client.get(reverse("outbound:endpoints")).status_code == 403
    assert client.get(reverse("outbound:deliveries")).status_code == 403
    assert client.post(reverse("outbound:endpoint_test", args=[endpoint.pk])).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("outbound:endpoint", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("outbound:endpoint_rotate", args=[endpoint.pk])).status_code == 404
    assert endpoint.secret not in client.get(reverse("outbound:endpoints")).content.decode()


def test_the_endpoints_page_costs_the_same_queries_however_many_endpoints_and_attempts(
    signed_in, receiver, endpoint_for, deliverable, django_assert_max_num_queries
):
    endpoint_for(receiver.url, all_events=True)
    with django_assert_max_num_queries(12) as first:
        signed_in.get(reverse("outbound:endpoints"))
    for n in range(3):
        endpoint_for(f"{receiver.url}/{n}", all_events=True)
    approve(deliverable)
    for delivery in OutboundDelivery.objects.order_by("id"):
        outbound_delivery_attempt(delivery_id=delivery.pk)
    with django_assert_max_num_queries(len(first.captured_queries)):
        signed_in.get(reverse("outbound:endpoints"))
