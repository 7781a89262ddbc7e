"""The scale-out proof, shortened (bench/scale_out.py --quick): two gunicorn instances and two Celery workers on
one Postgres and one Redis, a worker SIGKILLed while it pushes to Box, and every check of the bench passing."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import ROOT, require_broker, require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_instances_and_two_workers_lose_nothing_and_do_nothing_twice():
    require_postgres()
    broker = require_broker()
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    postgres = (
        f"postgres://{s.get('USER') or 'postgres'}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}"
    )
    redis_url, _, redis_db = broker.rpartition("/")
    command = [
        sys.executable, "-m", "bench.scale_out", "--quick", "--json",
        "--postgres-url", f"{postgres}/postgres", "--redis-url", redis_url, "--redis-db", redis_db or "0",
        "--ports", ",".join(map(str, free_ports(2))),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout)
    failed = {name: check for name, check in report["checks"].items() if not check["ok"]}
    assert not failed, json.dumps(report, indent=2)[-6000:]
    assert len(report["checks"]) == 6
    assert report["numbers"]["running_pushes_at_kill"] >= 1, "the worker was killed with no push running"
    assert done.returncode == 0
