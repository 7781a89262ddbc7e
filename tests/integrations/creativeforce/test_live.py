"""The happy path through a real server: the replay block of docs/adapters/creativeforce.md, run as written."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from deliverables.models import Deliverable
from integrations.inbound.models import WebhookReceipt
from projects.models import Project
from tests.conftest import ROOT

from .conftest import SECRET

DOC = ROOT / "docs" / "adapters" / "creativeforce.md"


def replay_block() -> str:
    text = DOC.read_text()
    block = text.split("<!-- replay-begin -->", 1)[1].split("<!-- replay-end -->", 1)[0]
    return re.search(r"```sh\n(.*?)```", block, re.S).group(1)


def run(script: str, live_server, fixture: str) -> subprocess.CompletedProcess:
    script = script.replace("BASE=http://127.0.0.1:8000", f"BASE={live_server.url}{settings.TRACKER_BASE_PATH}")
    script = script.replace("job__created.json", f"{fixture}.json")
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"PATH": "/usr/bin:/bin", "CREATIVE_FORCE_WEBHOOK_SECRET": SECRET},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_the_documented_replay_creates_the_project_product_and_completed_step(live_server, studio_pipeline):
    assert shutil.which("openssl") and shutil.which("curl"), "the documented replay needs openssl and curl"
    script = replay_block()
    for fixture in ("job__created", "product__reset", "task__completed"):
        result = run(script, live_server, fixture)
        assert result.returncode == 0, result.stderr
        assert '"ok":true,"outcome":"applied"' in result.stdout, result.stdout
    again = run(script, live_server, "task__completed")
    assert '"outcome":"duplicate"' in again.stdout
    project = Project.objects.get()
    assert project.custom_fields["Creative Force job code"] == "Summer 2020"
    deliverable = Deliverable.objects.get(project=project)
    assert deliverable.current_stage.name == "Retouching"
    receipts = WebhookReceipt.objects.order_by("id")
    assert [r.outcome for r in receipts] == ["ACCEPTED", "ACCEPTED", "ACCEPTED", "DUPLICATE"]
    assert all(r.signature_verified for r in receipts)
    assert receipts[0].event == "Job created"
