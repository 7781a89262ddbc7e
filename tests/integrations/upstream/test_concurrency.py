"""Adapter deliveries racing each other on Postgres: a redelivery sent at the same instant as the original is
applied once, and different events about one new object make one row (no check-then-act)."""

import json

import pytest
from django.test import Client

from deliverables.models import Deliverable
from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import UpstreamObject
from projects.models import Project
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.integrations.creativeforce.conftest import JOB_ID, PRODUCT_ID, cf_secret, fixture_json, post  # noqa: F401

CALLERS = 6


def _post_all(bodies: list[bytes]) -> list:
    def call(body):
        def run():
            response = post(Client(), body)
            return response.status_code, response.json()

        return run

    return run_at_once([call(body) for body in bodies])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_sent_at_once_is_applied_once():
    require_postgres()
    body = json.dumps(fixture_json("job__created")).encode()
    results = _post_all([body] * CALLERS)
    assert [status for status, _ in results] == [200] * CALLERS, results
    assert sorted(answer["outcome"] for _, answer in results) == ["applied"] + ["duplicate"] * (CALLERS - 1)
    assert UpstreamObject.objects.filter(kind="job", external_id=JOB_ID).count() == 1
    assert Project.objects.count() == 1
    outcomes = sorted(WebhookReceipt.objects.values_list("outcome", flat=True))
    assert outcomes == ["ACCEPTED"] + ["DUPLICATE"] * (CALLERS - 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_different_events_about_one_new_product_make_one_project_and_one_deliverable():
    require_postgres()
    bodies = [
        json.dumps(fixture_json("product__reset", PayloadId=f"race-{n}", EventDatetimeUtc=1595204418000 + n)).encode()
        for n in range(CALLERS)
    ]
    results = _post_all(bodies)
    assert [status for status, _ in results] == [200] * CALLERS, results
    assert Project.objects.count() == 1
    assert Deliverable.objects.count() == 1
    assert UpstreamObject.objects.filter(kind="product", external_id__startswith=PRODUCT_ID).count() == 1
