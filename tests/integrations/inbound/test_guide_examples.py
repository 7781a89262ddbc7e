"""The guide's own signing examples, run as an upstream team would run them, against the real server."""

import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from briefs.models import Brief
from integrations.inbound.models import WebhookReceipt

GUIDE_URL = "https://optical-dev.oliver.solutions/loreal-prod-tracker"

# Verbatim from the Upstream Integration Guide, "Signing examples".
GUIDE_BASH = """\
BODY='{"title":"New brief","priority":"HIGH"}'
SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$BRIEF_WEBHOOK_SECRET" | awk '{print $2}')
curl -X POST https://optical-dev.oliver.solutions/loreal-prod-tracker/api/webhooks/briefs \\
  -H "Content-Type: application/json" \\
  -H "X-Brief-Signature: sha256=$SIG" \\
  -d "$BODY"
"""

GUIDE_PYTHON = """\
import hmac, hashlib, json, requests
body = json.dumps({"title": "New brief", "priority": "HIGH"}, separators=(",", ":"))
sig = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
requests.post(
    "https://optical-dev.oliver.solutions/loreal-prod-tracker/api/webhooks/briefs",
    headers={"Content-Type": "application/json", "X-Brief-Signature": f"sha256={sig}"},
    data=body,  # pass the SAME string we signed; don't re-serialise
)
"""


def our_base(live_server) -> str:
    return live_server.url + settings.TRACKER_BASE_PATH


@pytest.mark.django_db(transaction=True)
def test_the_guides_bash_example_gets_200_from_the_real_server(live_server):
    assert shutil.which("openssl") and shutil.which("curl"), "the guide's example needs openssl and curl"
    script = GUIDE_BASH.replace(GUIDE_URL, our_base(live_server))
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"PATH": "/usr/bin:/bin", "BRIEF_WEBHOOK_SECRET": settings.BRIEF_WEBHOOK_SECRET},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    brief = Brief.objects.get()
    assert result.stdout == f'{{"ok":true,"briefId":"{brief.pk}","status":"PENDING","action":"created"}}'
    assert WebhookReceipt.objects.get().status_code == 200
    assert (brief.title, brief.priority, brief.source) == ("New brief", "HIGH", "webhook")
    assert WebhookReceipt.objects.get().signature_verified is True


@pytest.mark.django_db(transaction=True)
def test_the_guides_python_example_gets_200_from_the_real_server(live_server):
    script = f"secret = {settings.BRIEF_WEBHOOK_SECRET!r}\n" + GUIDE_PYTHON.replace(GUIDE_URL, our_base(live_server))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    receipt = WebhookReceipt.objects.get()
    assert (receipt.status_code, receipt.signature_verified) == (200, True)
    assert Brief.objects.get().title == "New brief"


@pytest.mark.django_db(transaction=True)
def test_the_bash_example_against_the_legacy_base_path_lands_when_curl_follows_the_308(live_server):
    legacy = live_server.url + settings.TRACKER_LEGACY_BASE_PATHS[0]
    script = GUIDE_BASH.replace(GUIDE_URL, legacy).replace("curl -X POST", "curl -L -X POST")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.rstrip() + ' -sS -o /dev/null -w "%{http_code} %{num_redirects}"'],
        env={"PATH": "/usr/bin:/bin", "BRIEF_WEBHOOK_SECRET": settings.BRIEF_WEBHOOK_SECRET},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout == "200 1", result.stderr
    assert Brief.objects.count() == 1
