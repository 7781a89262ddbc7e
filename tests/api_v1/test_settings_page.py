import re

import pytest
from django.urls import reverse

from tests.api_v1.conftest import client_for
from tracker.api.services import _hash_secret, api_key_create
from tracker.models import ApiKey, Organisation

pytestmark = pytest.mark.django_db


def page_url() -> str:
    return reverse("api_keys")


def test_admin_creates_a_key_and_sees_the_secret_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post(page_url(), {"name": "OMG sync", "scopes": ["projects:read", "projects:write"]})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'data-testid="new-api-key"[^>]*value="([^"]+)"', html).group(1)
    key = ApiKey.objects.get(name="OMG sync")
    assert key.scopes == ["projects:read", "projects:write"]
    assert key.created_by == admin_user
    assert key.secret_hash == _hash_secret(secret)
    assert secret not in str(ApiKey.objects.filter(pk=key.pk).values().first())
    # The key works straight away, and the list page never shows the secret again.
    assert client_for(secret).get(reverse("api_v1:projects")).status_code == 200
    listing = client.get(page_url()).content.decode()
    assert "OMG sync" in listing
    assert secret not in listing
    assert f"st_{key.prefix}_" in listing


def test_invalid_form_shows_errors_and_creates_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(page_url(), {"name": "", "scopes": ["everything"]})
    assert response.status_code == 400
    assert ApiKey.objects.count() == 0


def test_admin_revokes_a_key(client, admin_user):
    client.force_login(admin_user)
    key, secret = api_key_create(organisation=admin_user.organisation, name="Old", scopes=["projects:read"])
    response = client.post(reverse("api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client_for(secret).get(reverse("api_v1:projects")).status_code == 401
    assert "Revoked" in client.get(page_url()).content.decode()


def test_keys_of_another_organisation_are_not_listed_nor_revocable(client, admin_user):
    other = Organisation.objects.create(name="Other", slug="other")
    theirs, _secret = api_key_create(organisation=other, name="Their key", scopes=["projects:read"])
    client.force_login(admin_user)
    assert "Their key" not in client.get(page_url()).content.decode()
    assert client.post(reverse("api_key_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.parametrize("who", ["producer", "reviewer", "viewer"])
def test_only_admins_manage_keys(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_url()).status_code == 403
    assert client.post(page_url(), {"name": "x", "scopes": ["projects:read"]}).status_code == 403
    assert ApiKey.objects.count() == 0


def test_signed_out_visitor_is_sent_to_login(client):
    response = client.get(page_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_django_admin_creates_a_key_and_shows_the_secret_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracker_apikey_add"),
        {"organisation": admin_user.organisation_id, "name": "From admin", "scopes": ["deliverables:write"]},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="From admin")
    shown = [str(m) for m in response.context["messages"]]
    secret = re.search(r"(st_\w+_\S+)", " ".join(shown)).group(1)
    assert key.secret_hash == _hash_secret(secret)
    assert key.created_by == admin_user
    assert secret not in client.get(reverse("admin:tracker_apikey_change", args=[key.pk])).content.decode()


def test_django_admin_revoke_action(client, admin_user):
    key, _secret = api_key_create(organisation=admin_user.organisation, name="Doomed", scopes=["projects:read"])
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracker_apikey_changelist"),
        {"action": "revoke_selected", "_selected_action": [key.pk]},
        follow=True,
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_idempotency_records_are_read_only_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:tracker_idempotencyrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:tracker_idempotencyrecord_add")).status_code == 403


def test_django_admin_renames_a_key_and_changes_its_scopes(client, admin_user):
    key, secret = api_key_create(organisation=admin_user.organisation, name="Old name", scopes=["projects:read"])
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracker_apikey_change", args=[key.pk]),
        {"name": "New name", "scopes": ["projects:read", "deliverables:write"]},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.name, key.scopes) == ("New name", ["deliverables:write", "projects:read"])
    assert key.secret_hash == _hash_secret(secret)
