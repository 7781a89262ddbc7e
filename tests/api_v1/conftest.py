import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import default_organisation
from tracker.api.services import api_key_create
from tracker.models import ApiKey, Organisation

ALL_SCOPES = [scope.value for scope in ApiKey.Scope]


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    # Counters live in the cache, keyed by API key id: a new test may reuse an id an earlier one counted on.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organisation(db) -> Organisation:
    return default_organisation()


@pytest.fixture
def other_organisation(db) -> Organisation:
    return Organisation.objects.create(name="Other Studio", slug="other-studio")


@pytest.fixture
def make_key(db, organisation):
    def make(scopes=None, organisation_=None, name="Upstream sync"):
        return api_key_create(
            organisation=organisation_ or organisation, name=name, scopes=ALL_SCOPES if scopes is None else scopes
        )

    return make


@pytest.fixture
def api_key(make_key):
    return make_key()


@pytest.fixture
def api(api_key) -> APIClient:
    """A client sending a key with every scope."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    return client


def client_for(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
