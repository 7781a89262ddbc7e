"""The lockout holds across web processes: failures made in another process count here, on the shared Redis."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import ATTACKER_IP
from tests.conftest import ROOT, _database_url_for_worker, require_postgres, require_shared_cache

# Another process: Django on the same settings, database and cache, failing to sign in as `priya` twice.
SCRIPT = """
import django, os
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
setup_test_environment()
settings.AXES_FAILURE_LIMIT = 3
client = Client(REMOTE_ADDR=os.environ["FROM_IP"])
codes = [client.post(reverse("login"), {"username": "priya", "password": "wrong"}).status_code
         for _ in range(2)]
print(codes)
"""


@pytest.mark.django_db(transaction=True)
def test_failures_in_another_process_count_towards_the_lockout_here(producer):
    cache_url = require_shared_cache()
    require_postgres()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": _database_url_for_worker(),
        "CACHE_URL": cache_url,
        "FROM_IP": "198.51.100.200",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("[200, 200]")
    # Here, from another address: one more failure reaches the limit of 3 for the account.
    client = Client(REMOTE_ADDR=ATTACKER_IP)
    assert client.post(reverse("login"), {"username": "priya", "password": "wrong"}).status_code == 429
    assert client.post(reverse("login"), {"username": "priya", "password": "pass-for-tests-1"}).status_code == 429
    from accounts.lockout import lockout_clear

    lockout_clear(username="priya", ip_addresses=["198.51.100.200"])
