"""No secret and no signature reaches the log, whatever the level: signed webhooks in (ours and Box's), an outbound
delivery out, and a push to Box, all driven through the code with every logger at DEBUG and written as the
production handler writes them."""

import pytest
from django.conf import settings

from integrations.box.models import BoxPushLog
from integrations.outbound.models import OutboundDelivery
from integrations.outbound.services import outbound_endpoint_create
from tests.factories import UserFactory, default_organisation
from tests.integrations.box.conftest import CLIENT_SECRET, PASSPHRASE, PRIMARY_KEY, SECONDARY_KEY, add_revision, approve
from tests.integrations.box.test_webhook import event, post, signed_headers
from tests.integrations.inbound.conftest import ROUTES, fixture_bytes, header_meta, post_webhook
from tracker.models import User

pytestmark = pytest.mark.django_db


def test_secrets_and_signatures_never_reach_the_log(
    client, json_log, fake_box, box_keys, deliverable, receiver, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="ada", role=User.Role.ADMIN)
    endpoint, endpoint_secret = outbound_endpoint_create(
        organisation=default_organisation(), actor=admin, url=receiver.url, description="", events=[], all_events=True
    )
    add_revision(deliverable)

    # Inbound: each of our webhooks, signed and with a wrong signature.
    sent_signatures = []
    for route, (_, header, fixture) in ROUTES.items():
        body = fixture_bytes(*fixture)
        with django_capture_on_commit_callbacks(execute=True):
            signed = post_webhook(client, route, body)
            wrong = post_webhook(client, route, body, signature="sha256=" + "0" * 64)
        assert wrong.status_code == 401
        assert signed.status_code in (200, 404)  # the deliverable's parent project need not exist here
        sent_signatures.append(signed.wsgi_request.META[header_meta(header)])

    # Box: a signed file event, one signed with the wrong keys, then an approval pushed to Box, which also sends the
    # outbound webhook of `deliverable.approved` to the receiver.
    folder = fake_box.add_folder("OMG-24017_hero-banner_v1", fake_box.root_id)
    box_body = event(folder=(folder, "OMG-24017_hero-banner_v1"))
    box_headers = signed_headers(box_body)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, box_body, box_headers).status_code == 200
        assert post(client, box_body, signed_headers(box_body, primary="wrong", secondary="wrong")).status_code == 401
        approve(deliverable)

    assert BoxPushLog.objects.filter(outcome="sent").exists()
    assert OutboundDelivery.objects.filter(endpoint=endpoint, status=OutboundDelivery.Status.SUCCEEDED).exists()
    received_signatures = [r.header("webhook-signature") for r in receiver.requests]
    assert received_signatures and all(received_signatures)

    text = json_log.text
    assert "inbound.webhook_answered" in text and "box.push_sent" in text and "outbound.attempt" in text
    secrets = [
        settings.BRIEF_WEBHOOK_SECRET,
        settings.OMG_WEBHOOK_SECRET,
        settings.DELIVERABLE_WEBHOOK_SECRET,
        endpoint_secret,
        endpoint_secret.removeprefix("whsec_"),
        PRIMARY_KEY,
        SECONDARY_KEY,
        CLIENT_SECRET,
        PASSPHRASE,
        *fake_box.tokens,
        *sent_signatures,
        *(value.split(",", 1)[-1] for value in received_signatures),
        box_headers["HTTP_BOX_SIGNATURE_PRIMARY"],
        box_headers["HTTP_BOX_SIGNATURE_SECONDARY"],
    ]
    assert fake_box.tokens
    private_key_line = box_keys.private_pem.splitlines()[1]
    for secret in [*secrets, private_key_line]:
        assert secret and secret not in text, f"a secret reached the log: {secret[:6]}..."
