"""Django admin: the Optumus brand map (only Optumus rows; provider and kind set for the admin) and the
opportunities seen (read-only)."""

import pytest
from django.urls import reverse

from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject
from tests.factories import default_organisation

from .conftest import OPPORTUNITY, post_fixture

pytestmark = pytest.mark.django_db


def _mapping(provider: str, value: str) -> UpstreamMapping:
    return UpstreamMapping.objects.create(
        organisation=default_organisation(), provider=provider, kind=UpstreamMapping.Kind.BRAND,
        upstream_value=value, target="Brand",
    )  # fmt: skip


def test_the_mapping_list_shows_only_optumus_rows(admin_user, client):
    client.force_login(admin_user)
    _mapping(Provider.OPTUMUS, "Acme Corp")
    _mapping(Provider.CREATIVE_FORCE, "Globex")
    page = client.get(reverse("admin:optumus_optumusmapping_changelist")).content.decode()
    assert "Acme Corp" in page and "Globex" not in page


def test_adding_a_mapping_makes_an_optumus_brand_row(admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:optumus_optumusmapping_add"),
        {"organisation": default_organisation().pk, "upstream_value": "Acme Corp", "target": "Content"},
    )
    assert response.status_code == 302, response.content
    row = UpstreamMapping.objects.get()
    assert (row.provider, row.kind, row.upstream_value, row.target) == ("optumus", "brand", "Acme Corp", "Content")


def test_the_opportunities_are_listed_read_only(admin_user, client):
    post_fixture(client, "content_brief__sent")
    UpstreamObject.objects.create(
        organisation=default_organisation(), provider=Provider.OPTIMIZELY, kind="task", external_id="cmp-task-1"
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:optumus_optumusopportunity_changelist"))
    assert page.status_code == 200
    assert OPPORTUNITY in page.content.decode() and "cmp-task-1" not in page.content.decode()
    assert client.get(reverse("admin:optumus_optumusopportunity_add")).status_code == 403


def test_settings_integrations_lists_optumus_with_its_url_and_its_receipts(admin_user, client):
    post_fixture(client, "content_brief__sent")
    client.force_login(admin_user)
    page = client.get(reverse("upstream:integrations")).content.decode()
    assert "Optumus Analytics" in page
    assert "http://testserver" + reverse("optumus:webhook") in page
    assert "content_brief.sent" in page
