"""The Optumus happy path through a real server: the docs' curl replay, signed in bash as the docs show it."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from briefs.models import Brief
from integrations.inbound.models import WebhookReceipt

from .conftest import OPPORTUNITY, SECRET

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "adapters" / "optumus.md"


def replay_snippet() -> str:
    match = re.search(r"<!-- replay: optumus -->\n```bash\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert match, "docs/adapters/optumus.md has no replay snippet"
    return match.group(1)


def _replay(base: str, fixture: str) -> subprocess.CompletedProcess:
    script = replay_snippet().replace("BASE=http://127.0.0.1:8000/loreal-prod-tracker", f"BASE={base}")
    script = script.replace("optumus/content_brief__sent.json", f"optumus/{fixture}.json")
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"PATH": "/usr/bin:/bin", "OPTUMUS_WEBHOOK_SECRET": SECRET},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_the_docs_curl_replay_lands_a_brief_through_a_live_server_and_a_second_is_a_duplicate(live_server):
    assert shutil.which("openssl") and shutil.which("curl"), "the replay needs openssl and curl"
    base = live_server.url + settings.TRACKER_BASE_PATH
    first = _replay(base, "content_brief__sent")
    assert first.returncode == 0, first.stderr
    assert first.stdout == '{"ok":true,"outcome":"applied","action":"created"}'
    brief = Brief.objects.get()
    assert (brief.external_id, brief.status, brief.source) == (OPPORTUNITY, Brief.Status.PENDING, "webhook:optumus")
    assert "Sérum Éclat" in brief.description

    dismissed = _replay(base, "opportunity__status_changed_dismissed")
    assert dismissed.stdout == '{"ok":true,"outcome":"applied","action":"rejected"}', dismissed.stderr
    again = _replay(base, "content_brief__sent")
    assert again.stdout == '{"ok":true,"outcome":"duplicate","action":null}', again.stderr
    brief.refresh_from_db()
    assert brief.status == Brief.Status.REJECTED
    receipts = list(WebhookReceipt.objects.order_by("id").values_list("status_code", "outcome", "signature_verified"))
    assert receipts == [
        (200, WebhookReceipt.Outcome.ACCEPTED, True),
        (200, WebhookReceipt.Outcome.ACCEPTED, True),
        (200, WebhookReceipt.Outcome.DUPLICATE, True),
    ]
