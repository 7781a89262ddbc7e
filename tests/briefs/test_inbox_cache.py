"""The inbox's source choices are cached, and a brief from a new source makes the next view read them again; the
tab counts are counted on every view (from the inbox index)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefs.services import brief_reject, brief_upsert
from tests.factories import BriefFactory

pytestmark = pytest.mark.django_db


def _view(client) -> tuple[dict, list[str], int]:
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("briefs:inbox")).content.decode()
    tabs = dict(re.findall(r'data-testid="tab-(\w+)">[^<]*<span class="count">(\d+)</span>', body))
    sources = re.findall(r'<option value="([^"]+)"', body.split('name="source"')[1].split("</select>")[0])
    return tabs, sources, len(captured)


def test_sources_come_from_the_cache_until_a_brief_brings_a_new_one(client, producer):
    brief = BriefFactory(source="webhook:omg")
    client.force_login(producer)
    tabs, sources, first = _view(client)
    assert tabs["pending"] == "1" and sources == ["webhook:omg"]
    _, _, second = _view(client)
    assert second == first - 1  # the DISTINCT over every brief did not run again

    brief_upsert(organisation=producer.organisation, external_id="NEW-1", title="New", create_only={"source": "ui"})
    tabs, sources, _ = _view(client)
    assert tabs["pending"] == "2" and sources == ["ui", "webhook:omg"]

    brief_reject(brief=brief, actor=producer, reason="Duplicate")
    tabs, _, _ = _view(client)
    assert tabs["pending"] == "1" and tabs["rejected"] == "1"


def test_counts_are_never_cached(client, producer):
    BriefFactory(title="Hero banner")
    client.force_login(producer)
    url = reverse("briefs:inbox") + "?q=banner"
    assert client.get(url).status_code == 200
    BriefFactory(title="Banner two")  # no service: nothing forgets the cache, and a filtered view does not need it
    body = client.get(url).content.decode()
    assert 'data-testid="tab-pending">Pending<span class="count">2</span>' in body
