import io

import openpyxl
from django.urls import reverse

from integrations.inbound.models import WebhookReceipt


def _receipt(route: str, status_code: int, outcome: str, key: str) -> WebhookReceipt:
    return WebhookReceipt.objects.create(route=route, status_code=status_code, outcome=outcome, external_key=key)


def test_receipts_download_exactly_what_the_admin_filters_show(client, admin_user):
    _receipt("omg", 200, "ACCEPTED", "OMG-1")
    _receipt("omg", 401, "REJECTED", "OMG-2")
    _receipt("briefs", 200, "ACCEPTED", "INTAKE-1")
    client.force_login(admin_user)
    page = client.get(reverse("admin:inbound_webhookreceipt_changelist"), {"route__exact": "omg"}).content.decode()
    assert "webhook-receipts.xlsx?route__exact=omg" in page
    response = client.get(reverse("inbound:receipts-export"), {"route__exact": "omg", "outcome__exact": "ACCEPTED"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("Received", "Route", "Status")
    assert [row[4] for row in rows[1:]] == ["OMG-1"]


def test_receipts_export_is_for_staff_only(client, producer):
    client.force_login(producer)
    assert client.get(reverse("inbound:receipts-export")).status_code == 302  # to the admin sign-in
