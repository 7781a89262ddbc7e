from datetime import timedelta

import pytest
from django.utils import timezone

from tracker.api.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    api_key_update,
)
from tracker.errors import ApplicationError
from tracker.models import ApiKey, IdempotencyRecord
from tracker.retention import retention_prune

pytestmark = pytest.mark.django_db


def test_create_returns_the_secret_once_and_stores_only_its_hash(organisation):
    key, secret = api_key_create(organisation=organisation, name="Sync", scopes=["projects:read"])
    assert secret.startswith(f"st_{key.prefix}_")
    assert len(secret) > 40
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert secret not in str(stored)
    assert len(key.secret_hash) == 64
    assert api_key_authenticate(secret=secret) == key


def test_two_keys_never_share_a_secret_or_prefix(organisation):
    first = api_key_create(organisation=organisation, name="A", scopes=[])
    second = api_key_create(organisation=organisation, name="B", scopes=[])
    assert first[1] != second[1]
    assert first[0].prefix != second[0].prefix


def test_unknown_scope_is_refused(organisation):
    with pytest.raises(ApplicationError):
        api_key_create(organisation=organisation, name="Bad", scopes=["projects:delete"])
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize(
    "mangle", [lambda s: s + "x", lambda s: s[:-1], lambda s: s.replace("st_", "sk_", 1), str.upper]
)
def test_authenticate_refuses_anything_but_the_exact_secret(organisation, mangle):
    _key, secret = api_key_create(organisation=organisation, name="Sync", scopes=[])
    assert api_key_authenticate(secret=mangle(secret)) is None


def test_revoked_key_no_longer_authenticates_and_keeps_its_first_revocation_time(organisation):
    key, secret = api_key_create(organisation=organisation, name="Sync", scopes=[])
    api_key_revoke(api_key=key)
    first = key.revoked_at
    api_key_revoke(api_key=key)
    assert key.revoked_at == first
    assert api_key_authenticate(secret=secret) is None


def test_update_changes_name_and_scopes_but_not_the_secret(organisation):
    key, secret = api_key_create(organisation=organisation, name="Sync", scopes=["projects:read"])
    api_key_update(api_key=key, name="Renamed", scopes=["projects:write", "projects:read"])
    assert (key.name, key.scopes) == ("Renamed", ["projects:read", "projects:write"])
    assert api_key_authenticate(secret=secret) == key


def test_purge_deletes_only_expired_records(api_key):
    key, _secret = api_key
    now = timezone.now()
    for name, expires_at in [("old", now - timedelta(seconds=1)), ("live", now + timedelta(hours=1))]:
        IdempotencyRecord.objects.create(
            api_key=key, key=name, fingerprint="f", method="POST", path="/", expires_at=expires_at
        )
    assert retention_prune(only=["tracker.idempotency"]).removed == {"tracker.IdempotencyRecord": 1}
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["live"]
