from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api_v1.conftest import client_for
from tracker.api.services import api_key_revoke
from tracker.models import ApiKey, IdempotencyRecord

pytestmark = pytest.mark.django_db


def projects_url() -> str:
    return reverse("api_v1:projects")


def test_missing_key_is_401_json_with_bearer_challenge():
    response = APIClient().get(projects_url())
    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer st_deadbeef_not-a-real-secret", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer"],
)
def test_unknown_or_malformed_key_is_401(api_key, header):
    response = APIClient().get(projects_url(), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]


def test_right_prefix_with_wrong_secret_is_401(api_key):
    key, secret = api_key
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    response = client_for(forged).get(projects_url())
    assert response.status_code == 401
    assert response.json() == {"error": "invalid or revoked API key"}


def test_revoked_key_is_401(api_key):
    key, secret = api_key
    assert client_for(secret).get(projects_url()).status_code == 200
    api_key_revoke(api_key=key)
    response = client_for(secret).get(projects_url())
    assert response.status_code == 401
    assert response.json() == {"error": "invalid or revoked API key"}


@pytest.mark.parametrize(
    ("scopes", "method", "path_name", "needed"),
    [
        (["projects:write"], "get", "api_v1:projects", "projects:read"),
        (["projects:read"], "post", "api_v1:projects", "projects:write"),
        (["projects:read", "projects:write"], "post", "api_v1:project-deliverables", "deliverables:write"),
    ],
)
def test_missing_scope_is_403_json(make_key, scopes, method, path_name, needed):
    from tests.factories import ProjectFactory

    _key, secret = make_key(scopes=scopes)
    kwargs = {"project_id": str(ProjectFactory().pk)} if path_name.endswith("deliverables") else {}
    response = getattr(client_for(secret), method)(reverse(path_name, kwargs=kwargs), {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"error": f"API key lacks the {needed} scope"}


def test_last_used_at_is_recorded_at_most_once_a_minute(api_key):
    key, secret = api_key
    client = client_for(secret)
    client.get(projects_url())
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    client.get(projects_url())
    key.refresh_from_db()
    assert key.last_used_at == first  # within the minute: not written again

    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get(projects_url())
    key.refresh_from_db()
    assert key.last_used_at > first


def test_rate_limit_per_key_answers_429_with_retry_after(settings, make_key):
    settings.API_KEY_RATE_LIMIT = "3/m"
    _key, secret = make_key()
    _other, other_secret = make_key(name="Second client")
    client = client_for(secret)
    statuses = [client.get(projects_url()).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get(projects_url())
    assert response.status_code == 429
    assert response.json() == {"error": "rate limit exceeded"}
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another key has its own budget.
    assert client_for(other_secret).get(projects_url()).status_code == 200


def test_401_and_429_are_never_stored_as_idempotent_responses(settings, api_key):
    settings.API_KEY_RATE_LIMIT = "1/m"
    _key, secret = api_key
    body = {"name": "Q2 launch"}
    unauthenticated = APIClient().post(projects_url(), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert unauthenticated.status_code == 401
    client = client_for(secret)
    assert client.get(projects_url()).status_code == 200
    limited = client.post(projects_url(), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert limited.status_code == 429
    assert IdempotencyRecord.objects.count() == 0
