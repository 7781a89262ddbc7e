import io

import openpyxl
from django.urls import reverse

from tests.factories import BriefFactory


def test_the_inbox_export_holds_exactly_the_filtered_briefs(client, producer):
    BriefFactory(title="Homepage takeover", priority="HIGH")
    BriefFactory(title="Newsletter", priority="LOW")
    BriefFactory(title="Rejected one", priority="HIGH", status="REJECTED")
    client.force_login(producer)
    assert (
        "briefs/export.xlsx?priority=HIGH" in client.get(reverse("briefs:inbox"), {"priority": "HIGH"}).content.decode()
    )
    response = client.get(reverse("briefs:export"), {"priority": "HIGH"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Title", "External ID", "Status")
    assert [row[0] for row in rows[1:]] == ["Homepage takeover"]  # the Pending tab, high priority only
    assert sheet.freeze_panes == "A2"


def test_the_inbox_export_needs_a_sign_in(client):
    assert client.get(reverse("briefs:export")).status_code == 302
