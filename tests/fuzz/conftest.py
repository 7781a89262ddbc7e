"""The fuzz suite: property-based tests (Hypothesis) over every endpoint that takes outside input.

Each test draws bodies, headers and query strings around a valid request (fields kept, dropped or replaced with
anything JSON can carry, dates at the ends of time, huge numbers, text no database stores) and asserts what
docs/OPERATIONS.md promises of every endpoint: no 5xx, a JSON answer in the documented shape, no row written on
a refusal, one receipt per webhook call.

Profiles (FUZZ_PROFILE): `ci` (the default) runs a fixed, bounded set of examples, the same on every run, so CI
stays fast and never fails on a different draw than the one a developer can reproduce; `deep` draws many more,
at random, for a local hunt: `FUZZ_PROFILE=deep .venv/bin/python -m pytest tests/fuzz`.
"""

import os

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz-ci",
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-deep",
    parent=settings.get_profile("fuzz-ci"),
    max_examples=500,
    derandomize=False,
)
# Applied per test (`@fuzz`), so the profile reaches these tests only, not other Hypothesis users in the suite.
fuzz = settings(settings.get_profile(f"fuzz-{os.environ.get('FUZZ_PROFILE', 'ci')}"))


@pytest.fixture(autouse=True)
def _unmetered(settings):
    """Generated traffic must reach the endpoints, not the rate limits (which have tests of their own)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # sign-ins cost microseconds
    settings.WEBHOOK_RATE_LIMIT = "1000000/m"
    settings.API_KEY_RATE_LIMIT = "1000000/m"
    cache.clear()
    yield
    cache.clear()
