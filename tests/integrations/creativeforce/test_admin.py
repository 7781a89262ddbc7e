"""Creative Force's mappings and objects in Django admin: only its own rows, and a new row is its own."""

import pytest
from django.urls import reverse

from integrations.upstream.models import UpstreamMapping, UpstreamObject
from tests.factories import default_organisation

pytestmark = pytest.mark.django_db


def test_the_mapping_admin_lists_and_creates_creative_force_rows_only(client, admin_user):
    org = default_organisation()
    UpstreamMapping.objects.create(organisation=org, provider="optumus", kind="brand", upstream_value="Elsewhere")
    UpstreamMapping.objects.create(organisation=org, provider="creativeforce", kind="brand", upstream_value="Ours")
    client.force_login(admin_user)
    page = client.get(reverse("admin:creativeforce_creativeforcemapping_changelist"))
    assert b"Ours" in page.content and b"Elsewhere" not in page.content
    response = client.post(
        reverse("admin:creativeforce_creativeforcemapping_add"),
        {"organisation": org.pk, "kind": "step", "upstream_value": "Photography", "target": "Design"},
    )
    assert response.status_code == 302
    row = UpstreamMapping.objects.get(upstream_value="Photography")
    assert (row.provider, row.target) == ("creativeforce", "Design")
    duplicate = client.post(
        reverse("admin:creativeforce_creativeforcemapping_add"),
        {"organisation": org.pk, "kind": "step", "upstream_value": "PHOTOGRAPHY", "target": "New"},
    )
    assert duplicate.status_code == 200  # the form shows the uniqueness error instead of a server error
    assert UpstreamMapping.objects.filter(kind="step").count() == 1


def test_the_object_admin_lists_creative_force_objects_only(client, admin_user):
    org = default_organisation()
    UpstreamObject.objects.create(organisation=org, provider="creativeforce", kind="job", external_id="cf-job")
    UpstreamObject.objects.create(organisation=org, provider="optumus", kind="opportunity", external_id="op-1")
    client.force_login(admin_user)
    page = client.get(reverse("admin:creativeforce_creativeforceobject_changelist"))
    assert b"cf-job" in page.content and b"op-1" not in page.content
