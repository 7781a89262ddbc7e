import pytest
from django.core.cache import cache

# Every HTTP test here signs in from its own documentation address, never the 127.0.0.1 the browser tests share.
ATTACKER_IP = "203.0.113.66"
OTHER_IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Sign-in failures and reset-request counts live in the shared cache (Redis in CI, kept between runs): start
    and end every test with none. The limit is 3 here, so a lockout takes three attempts."""
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def oidc_provider(settings):
    """A running fake OpenID Connect provider, and single sign-on configured against it."""
    from tests.accounts.fake_oidc import FakeProvider, configure

    provider = FakeProvider().start()
    configure(settings, provider)
    try:
        yield provider
    finally:
        provider.stop()
