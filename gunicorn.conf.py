"""gunicorn settings for the web processes: `gunicorn -c gunicorn.conf.py tracker.wsgi:application`.

Used by `make serve`, the Procfile (`make dev`) and the web service of docker-compose.yml. Everything comes from
the environment; a flag given on gunicorn's command line still wins over this file.
"""

import gc
import os
import re
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = [os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"]
# Processes, and threads in each: more than one thread switches to the gthread worker. The work behind a request
# is database-bound and short (slow work is in Celery), so processes first.
workers = _int("WEB_CONCURRENCY", 3)
threads = _int("GUNICORN_THREADS", 1)
# A request running longer than this has its worker killed and restarted; keep it above the slowest page (an
# export) and below the proxy's read timeout (deploy/: 120 s), so the proxy never waits on a dead worker.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (a deploy, `docker compose stop`) workers finish the requests they have for up to this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that keeps connections open to us (nginx `keepalive`, Apache's pool).
keepalive = 5
# Recycle each worker after this many requests (with jitter, so they do not all restart at once): bounds any
# slow leak. A new worker's first requests are slow (a new database connection, its statements prepared again,
# its memory copied from the master's page by page), so recycling every 1,000 requests put a webhook burst's p99 at
# 60-70 ms against 40-45 ms; at 10,000 a busy worker is replaced every half minute or so. 0 turns it off.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
# Import the application once, in the master, and fork workers from it: a recycled worker starts in milliseconds
# instead of importing Django and the project again (about 1.3 s of CPU each; at a few hundred requests a second
# that was a third of the machine), and the workers share the imported code's memory. Nothing connects at import
# (database, Redis and Celery connect on first use, in the worker). New code needs a restart of the service, not a
# HUP. GUNICORN_PRELOAD=false imports in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() not in ("0", "false", "no", "off")
# Workers' heartbeat files: in a container /tmp is an overlay file system that can stall them; /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Access log on stdout: the client as the proxy saw it (X-Forwarded-For), the request line, status, size, time
# taken in ms. No request headers: they carry signatures and API keys.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# gunicorn 25.1+ binds a control socket for `gunicornc` at one default path per user ($XDG_RUNTIME_DIR or
# ~/.gunicorn/gunicorn.ctl): a second instance on the host takes it over, and whichever stops first deletes the
# other's. So each instance gets its own, named after what it binds, unless GUNICORN_CONTROL_SOCKET names one
# ("off" turns it off).
CONTROL_SOCKET_DIR = Path(__file__).resolve().parent / "var" / "run"


def control_socket_for(binds: list[str]) -> str:
    """`var/run/gunicorn-127.0.0.1-8000.ctl` for `127.0.0.1:8000`: unique per host, as two instances cannot bind
    the same address."""
    name = re.sub(r"[^A-Za-z0-9.]+", "-", binds[0]).strip("-") or "default"
    return str(CONTROL_SOCKET_DIR / f"gunicorn-{name}.ctl")


def on_starting(server):
    """Set the control socket once the final bind is known (the command line may have changed it)."""
    chosen = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
    if chosen.lower() == "off":
        server.cfg.set("control_socket_disable", True)
        return
    path = chosen or control_socket_for(server.cfg.bind)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    server.cfg.set("control_socket", path)


def pre_fork(server, worker):
    """Move everything the master has imported out of the garbage collector's sight before a worker is forked:
    the worker's collections then never walk (and so never copy, page by page) the shared imported code."""
    gc.freeze()
