"""Insecure mode, its system check, and the legacy base path redirect."""

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from briefs.models import Brief
from integrations.inbound.signatures import signature_for
from tracker.checks import check_insecure_webhooks

from .conftest import ROUTES, fixture_bytes, post_webhook, webhook_url

pytestmark = pytest.mark.django_db

INSECURE = {"briefs": "BRIEF_WEBHOOK_ALLOW_INSECURE", "omg": "OMG_WEBHOOK_ALLOW_INSECURE"}
INSECURE["deliverables"] = "DELIVERABLE_WEBHOOK_ALLOW_INSECURE"


@pytest.mark.parametrize("route", list(ROUTES))
def test_insecure_mode_accepts_an_unsigned_post(client, settings, route, omg_project):
    setattr(settings, INSECURE[route], True)
    response = post_webhook(client, route, fixture_bytes(*ROUTES[route][2]), sign=False)
    assert response.status_code == 200


@pytest.mark.parametrize("route", list(ROUTES))
def test_insecure_mode_still_rejects_a_wrong_signature(client, settings, route):
    setattr(settings, INSECURE[route], True)
    response = post_webhook(client, route, fixture_bytes(*ROUTES[route][2]), signature="sha256=" + "0" * 64)
    assert (response.status_code, response.json()) == (401, {"error": "signature mismatch"})


def test_insecure_mode_works_without_any_secret_for_local_clients(client, settings):
    settings.BRIEF_WEBHOOK_SECRET = ""
    settings.BRIEF_WEBHOOK_ALLOW_INSECURE = True
    assert post_webhook(client, "briefs", {"title": "Local"}, sign=False).status_code == 200


def test_insecure_mode_is_per_webhook(client, settings):
    settings.BRIEF_WEBHOOK_ALLOW_INSECURE = True
    assert post_webhook(client, "omg", {"job": {"number": "OMG-1"}}, sign=False).status_code == 401


def test_an_unsigned_call_accepted_in_insecure_mode_is_marked_unverified(client, settings):
    from integrations.inbound.models import WebhookReceipt

    settings.BRIEF_WEBHOOK_ALLOW_INSECURE = True
    post_webhook(client, "briefs", {"title": "Local"}, sign=False)
    assert WebhookReceipt.objects.get().signature_verified is False


@pytest.mark.parametrize("flag", list(INSECURE.values()))
def test_insecure_mode_with_debug_off_is_a_system_check_error(settings, flag):
    settings.DEBUG = False
    setattr(settings, flag, True)
    errors = check_insecure_webhooks(None)
    assert [(error.id, type(error)) for error in errors] == [("tracker.E001", Error)]
    assert flag in errors[0].msg
    with pytest.raises(SystemCheckError, match="tracker.E001"):
        call_command("check")


def test_insecure_mode_with_debug_on_passes_the_check(settings):
    settings.DEBUG = True
    settings.BRIEF_WEBHOOK_ALLOW_INSECURE = True
    assert check_insecure_webhooks(None) == []


def test_no_insecure_flag_passes_the_check(settings):
    settings.DEBUG = False
    assert check_insecure_webhooks(None) == []


# --- base path ------------------------------------------------------------------------------------------------


def test_webhooks_live_under_the_base_path():
    assert webhook_url("briefs") == "/loreal-prod-tracker/api/webhooks/briefs"
    assert webhook_url("omg") == "/loreal-prod-tracker/api/webhooks/omg"
    assert webhook_url("deliverables") == "/loreal-prod-tracker/api/webhooks/deliverables"


def test_a_post_to_the_legacy_base_path_answers_308_to_the_new_one(client, settings):
    body = fixture_bytes("briefs", "brief__created")
    response = client.post(
        "/dow-prod-tracker/api/webhooks/briefs?trace=1",
        data=body,
        content_type="application/json",
        HTTP_X_BRIEF_SIGNATURE=signature_for(settings.BRIEF_WEBHOOK_SECRET, body),
    )
    assert response.status_code == 308
    assert response["Location"] == "/loreal-prod-tracker/api/webhooks/briefs?trace=1"
    assert Brief.objects.count() == 0


def test_a_client_following_the_308_repeats_the_signed_post_and_it_lands(settings):
    body = fixture_bytes("briefs", "brief__created")
    response = Client().post(
        "/dow-prod-tracker/api/webhooks/briefs",
        data=body,
        content_type="application/json",
        HTTP_X_BRIEF_SIGNATURE=signature_for(settings.BRIEF_WEBHOOK_SECRET, body),
        follow=True,
    )
    assert response.redirect_chain == [("/loreal-prod-tracker/api/webhooks/briefs", 308)]
    assert response.status_code == 200
    assert Brief.objects.get().external_id == "INTAKE-2026-00042"
