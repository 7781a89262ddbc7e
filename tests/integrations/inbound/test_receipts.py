"""A WebhookReceipt for every call; "upsert failed" rolls the domain write back and keeps the receipt."""

import hashlib
import logging

import pytest
from django.db import connection
from django.urls import reverse

from briefs.models import Brief
from deliverables.models import Deliverable, Stage
from integrations.inbound.models import WebhookReceipt
from projects.models import Project

from .conftest import fixture_bytes, post_webhook

pytestmark = pytest.mark.django_db


def last_receipt() -> WebhookReceipt:
    return WebhookReceipt.objects.order_by("-id").first()


def test_an_accepted_call_is_logged_with_its_key_hash_and_answer(client):
    body = fixture_bytes("briefs", "brief__created")
    response = post_webhook(client, "briefs", body, REMOTE_ADDR="198.51.100.7")
    receipt = last_receipt()
    assert receipt.route == "briefs"
    assert receipt.source_ip == "198.51.100.7"
    assert receipt.external_key == "INTAKE-2026-00042"
    assert receipt.body_sha256 == hashlib.sha256(body).hexdigest()
    assert receipt.body_bytes == len(body)
    assert (receipt.status_code, receipt.outcome, receipt.error) == (200, "ACCEPTED", "")
    assert receipt.signature_verified is True
    assert (receipt.action, receipt.object_id) == ("created", response.json()["briefId"])
    assert receipt.created_at is not None


@pytest.mark.parametrize(
    ("route", "body", "key", "event"),
    [
        ("omg", ("omg", "job__updated"), "OMG-12345", "job.updated"),
        ("deliverables", ("deliverables", "deliverable__updated"), "OMG-12345/Homepage desktop hero — variant A", ""),
    ],
)
def test_the_external_key_of_each_route(client, omg_project, route, body, key, event):
    post_webhook(client, route, fixture_bytes(*body))
    receipt = last_receipt()
    assert (receipt.route, receipt.external_key, receipt.status_code) == (route, key, 200)
    assert receipt.event == (event or "deliverable.updated")


def test_every_rejected_call_is_logged_too(client, settings):
    body = fixture_bytes("briefs", "brief__created")
    post_webhook(client, "briefs", body, sign=False)
    post_webhook(client, "briefs", body, signature="sha256=" + "1" * 64)
    post_webhook(client, "briefs", b"{oops")
    post_webhook(client, "briefs", b'{"externalId": "E-1", "title": ""}')
    post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated"))
    client.get(reverse("inbound:webhook-omg"))
    post_webhook(client, "briefs", b"x" * (2 * 1024 * 1024), sign=False)
    settings.OMG_WEBHOOK_SECRET = ""
    post_webhook(client, "omg", b"{}", sign=False)

    rows = list(WebhookReceipt.objects.order_by("id").values_list("route", "status_code", "outcome", "error"))
    assert rows == [
        ("briefs", 401, "REJECTED", "missing signature header"),
        ("briefs", 401, "REJECTED", "signature mismatch"),
        ("briefs", 400, "REJECTED", "invalid JSON body"),
        ("briefs", 400, "REJECTED", "invalid payload: title: This field may not be blank."),
        ("deliverables", 404, "REJECTED", "parent project not found"),
        ("omg", 405, "REJECTED", "method not allowed"),
        ("briefs", 413, "REJECTED", "payload too large"),
        ("omg", 401, "REJECTED", "OMG_WEBHOOK_SECRET not configured"),
    ]
    assert Brief.objects.count() == 0


def test_an_unverified_body_is_hashed_but_never_parsed_for_its_key(client):
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"), signature="sha256=" + "1" * 64)
    receipt = last_receipt()
    assert receipt.external_key == ""
    assert receipt.body_sha256 == hashlib.sha256(fixture_bytes("briefs", "brief__created")).hexdigest()
    assert receipt.signature_verified is False


def test_an_invalid_payload_still_records_the_key_it_named(client):
    post_webhook(client, "briefs", b'{"externalId": "E-1", "title": ""}')
    assert last_receipt().external_key == "E-1"


def test_secrets_and_signatures_are_never_stored_or_logged(client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    body = fixture_bytes("briefs", "brief__created")
    good = post_webhook(client, "briefs", body).wsgi_request.META["HTTP_X_BRIEF_SIGNATURE"]
    bad = "sha256=" + "f" * 64
    post_webhook(client, "briefs", body, signature=bad)
    stored = " ".join(str(value) for row in WebhookReceipt.objects.values() for value in row.values())
    for secret in (settings.BRIEF_WEBHOOK_SECRET, good, bad, good.removeprefix("sha256=")):
        assert secret not in stored
        assert secret not in caplog.text
        for record in caplog.records:
            assert secret not in str(record.__dict__)


# --- upsert failed: a real database failure in the middle of the domain write ------------------------------------


@pytest.fixture
def stage_inserts_fail():
    """A database trigger that refuses new stage rows, so a deliverable insert fails after its own row is in."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_stage() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'stage table is read-only'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_stage BEFORE INSERT ON {Stage._meta.db_table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_stage()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_stage BEFORE INSERT ON {Stage._meta.db_table} "
                "BEGIN SELECT RAISE(ABORT, 'stage table is read-only'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER refuse_stage ON {Stage._meta.db_table}")
            cursor.execute("DROP FUNCTION refuse_stage()")
        else:
            cursor.execute("DROP TRIGGER refuse_stage")


def test_a_database_failure_mid_write_is_upsert_failed_rolled_back_with_the_receipt_kept(
    client, omg_project, stage_inserts_fail
):
    response = post_webhook(client, "deliverables", fixture_bytes("deliverables", "deliverable__updated"))

    assert response.status_code == 500
    data = response.json()
    assert data["error"] == "upsert failed"
    # The sender gets a reference to quote; what broke (the database's words) is on the receipt and in the log.
    assert data["detail"].startswith("reference ")
    assert "read-only" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert Deliverable.objects.count() == 0  # the deliverable row was inserted, then rolled back
    receipt = last_receipt()
    assert (receipt.status_code, receipt.outcome) == (500, "FAILED")
    assert receipt.error.startswith(f"upsert failed: {data['detail']}: ")
    assert "stage table is read-only" in receipt.error
    assert receipt.external_key == "OMG-12345/Homepage desktop hero — variant A"


def test_a_missing_intake_organisation_is_upsert_failed(client, settings):
    settings.TRACKER_DEFAULT_ORGANISATION = "no-such-studio"
    response = post_webhook(client, "omg", fixture_bytes("omg", "job__updated"))
    assert response.status_code == 500
    assert response.json() == {"error": "upsert failed", "detail": "organisation 'no-such-studio' does not exist"}
    assert Project.objects.count() == 0
    assert last_receipt().status_code == 500


# --- admin ----------------------------------------------------------------------------------------------------


def test_the_admin_lists_receipts_filtered_by_route_status_and_key(client, admin_user, omg_project):
    post_webhook(client, "omg", fixture_bytes("omg", "job__updated"))
    post_webhook(client, "omg", fixture_bytes("omg", "job__updated"), signature="sha256=" + "0" * 64)
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    client.force_login(admin_user)
    url = reverse("admin:inbound_webhookreceipt_changelist")

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3

    for query, count in [
        ({"route": "omg"}, 2),
        ({"status_code": "401"}, 1),
        ({"route": "omg", "status_code": "200"}, 1),
        ({"outcome__exact": "ACCEPTED"}, 2),
        ({"external_key": "INTAKE-2026-00042"}, 1),
        ({"q": "INTAKE-2026-00042"}, 1),
    ]:
        filtered = client.get(url, query)
        assert filtered.status_code == 200, query
        assert filtered.context["cl"].result_count == count, query
    assert b"?external_key=INTAKE-2026-00042" in page.content


def test_receipts_are_read_only_in_the_admin(client, admin_user):
    post_webhook(client, "briefs", fixture_bytes("briefs", "brief__created"))
    client.force_login(admin_user)
    assert client.get(reverse("admin:inbound_webhookreceipt_add")).status_code == 403
    receipt = last_receipt()
    detail = client.get(reverse("admin:inbound_webhookreceipt_change", args=[receipt.pk]))
    assert detail.status_code == 200
    assert client.post(reverse("admin:inbound_webhookreceipt_delete", args=[receipt.pk])).status_code == 403
