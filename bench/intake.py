"""The intake comparison: the project's signed briefs webhook against the bare view (bench/bare.py) doing the
same durable work, each under the same gunicorn settings, driven by the same load generator.

    .venv/bin/python -m bench.intake        # or `make bench`

Needs Postgres (POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres: a throwaway database is created
beside it and dropped at the end) and Redis (REDIS_URL, default redis://127.0.0.1:6379, database BENCH_REDIS_DB,
default 14; the project's rate-limit keys are its own, the bare view's are prefixed `bare:`), and wrk
(`apt-get install wrk`). Both servers run `gunicorn -c gunicorn.conf.py` with BENCH_WORKERS (3) sync workers,
no access log; wrk drives BENCH_CONNECTIONS (16) connections on 2 threads for BENCH_SECONDS (10) per run.

Two loads: creates (a new externalId on every call) and replays (the same signed body again and again). The runs
alternate A/B, B/A round after round (BENCH_ROUNDS, 3), so a noisy machine hits both alike; the table gives the
median run of each, and the machine's load average before and after.
"""

import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "bench"
SECRET = "bench-intake-secret"
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PATH = "/api/webhooks/briefs"

LUA = """
local lines = {}
for line in io.lines("%(bodies)s") do lines[#lines + 1] = line end
local counter = 0
local stride = 1
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
  stride = %(threads)d
end
function request()
  local line = lines[(counter %% #lines) + 1]
  counter = counter + stride
  local tab = string.find(line, "\\t")
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-Brief-Signature"] = string.sub(line, 1, tab - 1)
  return wrk.format("POST", "%(path)s", headers, string.sub(line, tab + 1))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bodies(path: Path, prefix: str, count: int) -> None:
    """`count` signed bodies, one per line: `sha256=<hex>\\t<json>`."""
    with path.open("w") as out:
        for n in range(count):
            body = json.dumps({"externalId": f"{prefix}-{n}", "title": f"Intake {n}", "system": "bench"})
            signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
            out.write(f"sha256={signature}\t{body}\n")


def _wait(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}", timeout=1)  # noqa: S310 - our own server
        except urllib.error.HTTPError:
            return  # it answers (405 to a GET)
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing answers on port {port}")


def _wrk(port: int, script: Path, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(script),
               f"http://127.0.0.1:{port}{PATH}"]  # fmt: skip
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def run(work: Path, database_url: str, redis_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-intake-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "DATABASE_URL": database_url,
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        "BRIEF_WEBHOOK_SECRET": SECRET,
        "WEBHOOK_RATE_LIMIT": "1000000000/m",
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(WORKERS),
        "TRACKER_BASE_PATH": "",
    }
    (work / "metrics").mkdir()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    ports = {"project": _free_port(), "bare": _free_port()}
    apps = {"project": "tracker.wsgi:application", "bare": "bench.bare:application"}
    servers = []
    for name, app in apps.items():
        log = (work / f"{name}.log").open("w")
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app, "--bind", f"127.0.0.1:{ports[name]}",
             "--access-logfile", "/dev/null", "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
    try:
        for port in ports.values():
            _wait(port)
        results: dict = {"load_before": _loadavg(), "runs": {"creates": [], "replays": []}}
        replay = work / "replay.txt"
        _bodies(replay, f"REPLAY-{uuid.uuid4().hex[:6]}", 1)
        warm = work / "warm.lua"
        warm.write_text(LUA % {"bodies": replay, "threads": 2, "path": PATH})
        for port in ports.values():
            _wrk(port, warm, 2)
        for round_number in range(ROUNDS):
            order = list(ports) if round_number % 2 == 0 else list(reversed(ports))
            for load in ("creates", "replays"):
                for name in order:
                    bodies = replay
                    if load == "creates":
                        bodies = work / f"creates-{name}-{round_number}.txt"
                        _bodies(bodies, f"{name.upper()}-{round_number}-{uuid.uuid4().hex[:6]}", 2000 * SECONDS)
                    script = work / f"{load}-{name}-{round_number}.lua"
                    script.write_text(LUA % {"bodies": bodies, "threads": 2, "path": PATH})
                    row = {"target": name, "round": round_number, **_wrk(ports[name], script, SECONDS)}
                    results["runs"][load].append(row)
                    print(f"  {load:<8} {name:<8} {row['rps']:>8.1f} req/s  p50 {row['p50_ms']:>6} ms  "
                          f"p99 {row['p99_ms']:>6} ms  non-2xx {row['non_2xx']}", flush=True)  # fmt: skip
        results["load_after"] = _loadavg()
        return results
    finally:
        for server in servers:
            os.killpg(server.pid, 15)
        for server in servers:
            server.wait(timeout=20)


def summary(results: dict) -> dict:
    table = {}
    for load, runs in results["runs"].items():
        for name in ("project", "bare"):
            mine = sorted((r for r in runs if r["target"] == name), key=lambda r: r["rps"])
            median = mine[len(mine) // 2]
            table.setdefault(load, {})[name] = {
                "rps": median["rps"],
                "p50_ms": median["p50_ms"],
                "p99_ms": median["p99_ms"],
                "non_2xx": sum(r["non_2xx"] for r in mine),
                "rps_runs": [r["rps"] for r in mine],
            }
        table[load]["ratio"] = round(table[load]["project"]["rps"] / table[load]["bare"]["rps"], 2)
    return table


def markdown(results: dict) -> str:
    lines = [
        f"Intake: briefs webhook vs the bare view ({WORKERS} gunicorn workers, {CONNECTIONS} connections, "
        f"{SECONDS} s per run, {ROUNDS} rounds alternating; load average before {results['load_before']}, "
        f"after {results['load_after']})",
        "",
        "| load | target | req/s (median) | p50 ms | p99 ms | non-2xx | runs req/s | ratio |",
        "|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for load, row in results["summary"].items():
        for name in ("project", "bare"):
            r = row[name]
            ratio = f"{row['ratio']:.2f}×" if name == "project" else ""
            lines.append(f"| {load} | {name} | {r['rps']:.0f} | {r['p50_ms']} | {r['p99_ms']} | {r['non_2xx']} | "
                         f"{', '.join(f'{x:.0f}' for x in r['rps_runs'])} | {ratio} |")  # fmt: skip
    return "\n".join(lines)


def main() -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("bench.intake needs wrk: apt-get install wrk")
    import psycopg

    server = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = f"{os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379')}/{os.environ.get('BENCH_REDIS_DB', '14')}"
    name = f"tracker_intake_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
            results = run(Path(tmp), f"{server.rsplit('/', 1)[0]}/{name}", redis_url)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    results["summary"] = summary(results)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "intake.json").write_text(json.dumps(results, indent=2))
    (OUT / "intake.md").write_text(markdown(results) + "\n")
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()
