import pytest
from django.core import mail  # noqa: F401

from accounts.lockout import lockout_clear

# Every HTTP test here signs in from its own documentation address, never the 127.0.0.1 the browser tests share.
ATTACKER_IP = "203.0.113.66"
OTHER_IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def fresh_lockouts(settings):
    """Start and end each test with no sign-in failures counted for the names and addresses the tests use, in
    whichever cache (local memory, or Redis in CI) holds them."""
    names = ["ada", "priya", "rui", "vic", "nobody-here", "victim"]
    addresses = [ATTACKER_IP, OTHER_IP, "127.0.0.1"]

    def clear():
        for name in names:
            lockout_clear(username=name, ip_addresses=[])
        lockout_clear(username="", ip_addresses=addresses)

    settings.AXES_FAILURE_LIMIT = 3
    clear()
    yield
    clear()


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
