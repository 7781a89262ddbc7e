"""Fuzzing the signed webhooks (the guide's three and Box's): whatever a signed sender puts in the body, the
answer is one of the guide's, nothing is written on a refusal, and every call leaves exactly one receipt."""

import json
from datetime import UTC, datetime

import pytest
from box_sdk_gen.internal.utils import compute_webhook_signature
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from briefs.models import Brief
from deliverables.models import Deliverable, Stage
from integrations.box.models import BoxInboundLog
from integrations.inbound.models import WebhookReceipt
from projects.models import Project
from tests.factories import ProjectFactory
from tests.integrations.inbound.conftest import fixture_json, post_webhook

from .conftest import fuzz
from .shapes import assert_json_answer, row_counts
from .strategies import json_values, mutated, raw_bodies

pytestmark = pytest.mark.django_db

VALID = {
    "briefs": fixture_json("briefs", "brief__created"),
    "omg": fixture_json("omg", "job__updated"),
    "deliverables": fixture_json("deliverables", "deliverable__updated"),
}
GUIDE_ERRORS = {
    400: {"invalid JSON body", "invalid payload"},
    404: {"parent project not found"},
    409: None,  # a refusal in the service's own words (an OMG number another organisation holds)
}
BOX_KEY = "box-primary-key-for-the-fuzz-suite"


@pytest.fixture
def parent_project(db):
    return ProjectFactory(omg_job_number="OMG-12345")


def check_webhook_call(client, route: str, body: bytes) -> None:
    receipts = WebhookReceipt.objects.count()
    rows = row_counts(Brief, Project, Deliverable, Stage)

    response = post_webhook(client, route, body)

    data = assert_json_answer(response)
    assert WebhookReceipt.objects.count() == receipts + 1, "one receipt per call"
    receipt = WebhookReceipt.objects.order_by("-id").first()
    assert receipt.status_code == response.status_code
    if response.status_code >= 400:
        assert row_counts(Brief, Project, Deliverable, Stage) == rows, "a refusal wrote a row"
        allowed = GUIDE_ERRORS.get(response.status_code)
        assert response.status_code in GUIDE_ERRORS and (allowed is None or data["error"] in allowed), data
        assert receipt.error.startswith(data["error"])
    else:
        assert response.status_code == 200 and data["ok"] is True


@fuzz
@given(body=st.data())
@pytest.mark.parametrize("route", ["briefs", "omg", "deliverables"])
def test_any_signed_body_gets_an_answer_from_the_guide(client, parent_project, route, body):
    check_webhook_call(client, route, body.draw(raw_bodies(VALID[route]), label="body"))


@fuzz
@given(job=mutated(VALID["omg"]["job"]))
def test_any_omg_job_gets_an_answer_from_the_guide(client, job):
    check_webhook_call(client, "omg", json.dumps({**VALID["omg"], "job": job}).encode())


@fuzz
@given(item=mutated(VALID["deliverables"]["deliverable"]))
def test_any_deliverable_gets_an_answer_from_the_guide(client, parent_project, item):
    check_webhook_call(client, "deliverables", json.dumps({**VALID["deliverables"], "deliverable": item}).encode())


def box_headers(body: bytes, key: str) -> dict:
    headers = {
        "box-delivery-id": "fuzz",
        "box-delivery-timestamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "box-signature-version": "1",
        "box-signature-algorithm": "HmacSHA256",
    }
    headers["box-signature-primary"] = compute_webhook_signature(body.decode("utf-8", "replace"), headers, key)
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


@fuzz
@given(
    event=st.one_of(
        st.fixed_dictionaries(
            {"id": json_values(), "trigger": st.sampled_from(["FILE.UPLOADED", "FILE.COPIED", "FILE.TRASHED"])},
            optional={"source": json_values(), "webhook": json_values()},
        ),
        json_values(),
    )
)
def test_any_signed_box_event_is_logged_once_and_answered(client, settings, event):
    settings.BOX_WEBHOOK_PRIMARY_KEY = BOX_KEY
    body = json.dumps(event).encode()
    logs = BoxInboundLog.objects.count()

    response = client.post(
        reverse("box:webhook"), data=body, content_type="application/json", **box_headers(body, BOX_KEY)
    )

    data = assert_json_answer(response)
    assert response.status_code in (200, 400), data
    assert BoxInboundLog.objects.count() == logs + 1, "one log row per delivery"
