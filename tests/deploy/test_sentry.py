"""What reaches Sentry: the scrubber on an event shaped like the ones the Django integration builds for a webhook
that failed, and the SDK set up the way settings set it up when SENTRY_DSN is given."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT
from tracker.sentry import FILTERED, scrub_event

SIGNATURE = "sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
API_KEY = "st_AbC123xY_q9Zr4LmN0pQsTuVwXyZ12345678"
SECRETS = [
    SIGNATURE,
    API_KEY,
    "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    "callback-secret-value-123",
    "sessionid-value-abc",
    "csrf-value-xyz",
    "box-primary-key-signature",
    "very-secret-dsn-key",
]


def realistic_event() -> dict:
    return {
        "level": "error",
        "logger": "django.request",
        "message": f"Internal Server Error: /api/webhooks/briefs signed {SIGNATURE}",
        "request": {
            "url": "https://tracker.example.com/loreal-prod-tracker/api/webhooks/briefs",
            "method": "POST",
            "query_string": "page=2&api_key=st_AbC123xY_q9Zr4LmN0pQsTuVwXyZ12345678&token=abc",
            "headers": {
                "Host": "tracker.example.com",
                "Content-Type": "application/json",
                "X-Brief-Signature": SIGNATURE,
                "X-OMG-Signature": SIGNATURE,
                "Box-Signature-Primary": "box-primary-key-signature",
                "Webhook-Signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
                "Callback-Secret": "callback-secret-value-123",
                "Authorization": f"Bearer {API_KEY}",
                "X-Api-Key": API_KEY,
                "Cookie": "sessionid=sessionid-value-abc; csrftoken=csrf-value-xyz",
                "User-Agent": "omg-webhooks/2.1",
            },
            "cookies": {"sessionid": "sessionid-value-abc", "csrftoken": "csrf-value-xyz"},
            "data": {"title": "New brief", "externalId": "INTAKE-1", "callback_secret": "callback-secret-value-123"},
            "env": {"SERVER_NAME": "web-1", "SERVER_PORT": "8000"},
        },
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": "duplicate key value",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "post",
                                "module": "integrations.inbound.apis",
                                "vars": {
                                    "route": "'briefs'",
                                    "signature": f"'{SIGNATURE}'",
                                    "secret": "'test-brief-secret'",
                                    "headers": {"Authorization": f"Bearer {API_KEY}"},
                                },
                            }
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {"category": "httplib", "data": {"url": "https://hooks.example.com/x", "webhook-signature": "v1,abc"}},
                {"category": "log", "message": f"outbound.sent Authorization: Bearer {API_KEY}"},
            ]
        },
        "extra": {"sentry_dsn": "https://very-secret-dsn-key@o1.ingest.example.com/1", "route": "briefs"},
    }


def test_scrubber_blanks_every_secret_and_keeps_what_helps_debugging():
    event = scrub_event(realistic_event(), {})
    text = json.dumps(event)
    for secret in [*SECRETS, "test-brief-secret"]:
        assert secret not in text
    headers = event["request"]["headers"]
    for name in (
        "X-Brief-Signature",
        "X-OMG-Signature",
        "Box-Signature-Primary",
        "Webhook-Signature",
        "Callback-Secret",
        "Authorization",
        "X-Api-Key",
        "Cookie",
    ):
        assert headers[name] == FILTERED, name
    assert event["request"]["cookies"] == FILTERED
    assert event["request"]["query_string"] == f"page=2&api_key={FILTERED}&token={FILTERED}"
    # What an engineer needs is still there.
    assert headers["User-Agent"] == "omg-webhooks/2.1"
    assert headers["Content-Type"] == "application/json"
    assert event["request"]["url"].endswith("/api/webhooks/briefs")
    assert event["request"]["data"]["externalId"] == "INTAKE-1"
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["route"] == "'briefs'"
    assert event["message"].startswith("Internal Server Error: /api/webhooks/briefs signed ")
    assert event["extra"]["route"] == "briefs"


def test_headers_as_pairs_are_scrubbed_too():
    event = scrub_event({"request": {"headers": [["X-Deliverable-Signature", SIGNATURE], ["Accept", "*/*"]]}}, {})
    assert event["request"]["headers"] == [["X-Deliverable-Signature", FILTERED], ["Accept", "*/*"]]


def test_settings_turn_sentry_on_with_both_integrations_and_no_pii_only_when_a_dsn_is_set():
    probe = (
        "import django, json, sentry_sdk; django.setup(); c = sentry_sdk.get_client();"
        "from tracker.sentry import scrub_event;"
        "print(json.dumps({'active': c.is_active(), 'pii': c.options['send_default_pii'],"
        " 'scrubs': c.options['before_send'] is scrub_event,"
        " 'integrations': sorted(c.integrations)}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}

    def run(dsn: str) -> dict:
        out = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={**env, "SENTRY_DSN": dsn},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    on = run("http://public@127.0.0.1:9/1")
    assert on["active"] and on["pii"] is False and on["scrubs"]
    assert {"django", "celery"} <= set(on["integrations"])
    assert run("")["active"] is False
