"""The processes of the scale-out proof (bench/scale_out.py): their environment, starting and stopping them."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECRETS = {
    "BRIEF_WEBHOOK_SECRET": "scale-brief",
    "OMG_WEBHOOK_SECRET": "scale-omg",
    "DELIVERABLE_WEBHOOK_SECRET": "scale-deliverable",
}
METRICS_TOKEN = "scale-out-metrics"


def environment(args, work: Path, db_name: str) -> dict:
    run = uuid.uuid4().hex[:8]
    base = args.postgres_url.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": "scale-out-" + run * 6,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "DATABASE_URL": f"{base}/{db_name}",
        "CACHE_URL": f"{args.redis_url}/{args.redis_db}",
        # The webhooks are called "from" an address of this run's own behind one trusted proxy, so the rate-limit
        # counters (per address, in the shared cache) start at zero without flushing anything.
        "TRACKER_TRUSTED_PROXIES": "1",
        "CELERY_BROKER_URL": f"{args.redis_url}/{args.redis_db}",
        "CELERY_RESULT_BACKEND": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": f"scale-{run}",
        "WEBHOOK_RATE_LIMIT": f"{args.rate_limit}/d",
        "MEDIA_ROOT": str(work / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "METRICS_TOKEN": METRICS_TOKEN,
        "LOG_LEVEL": "WARNING",
        "OUTBOUND_WEBHOOK_EXEMPT_HOSTS": "127.0.0.1",
        # A killed worker's work is picked up within seconds instead of minutes (a push's lease is the longer of
        # BOX_PUSH_LEASE_SECONDS and two Box request timeouts).
        "BOX_PUSH_LEASE_SECONDS": "3",
        "BOX_PUSH_STUCK_AFTER_SECONDS": "3",
        "BOX_REQUEST_TIMEOUT_SECONDS": "4",
        "BOX_RETRY_BACKOFF_SECONDS": "0.2",
        "OUTBOUND_WEBHOOK_STUCK_AFTER_SECONDS": "3",
        "OUTBOUND_WEBHOOK_SWEEP_GRACE_SECONDS": "1",
        "EVENTS_SWEEP_DELAY_SECONDS": "2",
        **SECRETS,
    }
    (work / "media").mkdir(exist_ok=True)
    (work / "metrics").mkdir(exist_ok=True)
    os.environ.update(env)  # this process sets up Django on the same database and broker
    return env


def start(name: str, command: list[str], env: dict, work: Path) -> subprocess.Popen:
    log = open(work / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    process.name, process.log_path = name, work / f"{name}.log"
    return process


def gunicorn(port: int) -> list[str]:
    return [
        PY,
        "-m",
        "gunicorn",
        "tracker.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--no-control-socket",
        "--graceful-timeout",
        "2",
    ]


def worker(name: str, queue: str) -> list[str]:
    return [
        PY,
        "-m",
        "celery",
        "-A",
        "tracker",
        "worker",
        "-n",
        f"{name}@%h",
        "--concurrency",
        "2",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]


def wait_until(condition, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"timed out waiting for {what}")


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # a group already gone (the worker killed on purpose)
        os.killpg(process.pid, sig)  # the process and its children (gunicorn's and Celery's workers)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
