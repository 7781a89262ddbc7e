"""Benchmark: the worst bodies the intake endpoints accept (or refuse) within their limits, and what each costs.

Run with `make bench-worst` (SQLite file var/bench-worst.sqlite3) or with DATABASE_URL set to a throwaway Postgres
database. Every body is at most the endpoint's size limit (1 MiB) and built to make the most work the limits
allow: 500 assignees with the longest addresses, pass-through objects as deep and as wide as they may be, 1,001
invalid fields, nesting just past the limit, a list of 210,000 items. Each is sent REPEAT times; the table gives
the status, the answer's size and the median and worst time. The point: each is answered in well under a second,
and refusals cost less than acceptances. There are no timed assertions in the test suite; this is where the
figures come from (docs/OPERATIONS.md quotes them).
"""

import hashlib
import hmac
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-worst.sqlite3'}")
for _name in ("BRIEF", "OMG", "DELIVERABLE"):
    os.environ.setdefault(f"{_name}_WEBHOOK_SECRET", "bench-secret")
os.environ.setdefault("WEBHOOK_RATE_LIMIT", "1000000/m")
os.environ.setdefault("API_KEY_RATE_LIMIT", "1000000/m")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from projects.models import Project  # noqa: E402
from projects.services import project_create  # noqa: E402
from tracker.api.services import api_key_create  # noqa: E402
from tracker.models import ApiKey, User  # noqa: E402
from tracker.services import organisation_default  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
LIMIT = settings.WEBHOOK_MAX_BODY_BYTES
HEADERS = {
    "briefs": "HTTP_X_BRIEF_SIGNATURE",
    "omg": "HTTP_X_OMG_SIGNATURE",
    "deliverables": "HTTP_X_DELIVERABLE_SIGNATURE",
}


def fill_to(body: dict, key: str, limit: int = LIMIT) -> bytes:
    """`body` with `key` holding a flat object padded so the whole body is just under `limit` bytes."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    pad = {}
    index = 0
    room = limit - len(raw) - 64
    while room > 40:
        entry = f"k{index:06d}"
        value = "v" * min(30, room - 20)
        pad[entry] = value
        room -= len(entry) + len(value) + 6
        index += 1
    body[key] = pad
    raw = json.dumps(body, separators=(",", ":")).encode()
    assert len(raw) <= limit, len(raw)
    return raw


def compact(body) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def deep_object(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"n": value}
    return value


def wide_and_deep() -> bytes:
    """A brief whose rawPayload is as deep as allowed (32 levels) and as wide as the body limit allows."""
    raw = fill_to({"title": "Worst", "rawPayload": {}}, "rawPayload", limit=LIMIT - 1000)
    body = json.loads(raw)
    body["rawPayload"]["deep"] = deep_object(31)
    return json.dumps(body, separators=(",", ":")).encode()


def job(**overrides) -> dict:
    return {
        "number": "OMG-BENCH-1",
        "name": "Worst case",
        "priority": "high",
        "status": "In Production",
        "dates": {"accepted": "2026-04-20T09:00:00Z", "externalDeadline": "2026-05-15T17:00:00Z"},
        **overrides,
    }


def cases() -> list[tuple[str, str, bytes]]:
    """(name, route or URL name, body)."""
    longest_assignees = [{"email": "a" * 300 + "@example.com", "role": "r" * 200} for _ in range(500)]
    bad_assignees = [{"email": 1, "role": ["x"]} for _ in range(500)]
    return [
        ("omg: 500 longest assignees + 1 MiB raw", "omg", fill_to({"job": job(assignees=longest_assignees)}, "raw")),
        (
            "omg: 1,001 invalid fields",
            "omg",
            json.dumps({"job": job(assignees=bad_assignees, priority="p" * 200_000)}).encode(),
        ),
        (
            "omg: 210,000 assignees (refused)",
            "omg",
            json.dumps({"job": job(assignees=[0] * 210_000)}, separators=(",", ":")).encode(),
        ),
        ("briefs: rawPayload 32 deep and 1 MiB wide", "briefs", wide_and_deep()),
        (
            "briefs: 1 MiB description",
            "briefs",
            json.dumps({"title": "Worst", "description": "word " * (LIMIT // 5 - 20)}).encode(),
        ),
        (
            "briefs: raw list of 500k numbers",
            "briefs",
            json.dumps(
                {"title": "Worst", "rawPayload": {"n": [0] * (LIMIT // 2 - 100)}}, separators=(",", ":")
            ).encode(),
        ),
        ("briefs: nested 65 deep (refused)", "briefs", b"[" * 65 + b"]" * 65),
        ("briefs: nested 100,000 deep (refused)", "briefs", b"[" * 100_000 + b"]" * 100_000),
        (
            "deliverables: 1 MiB raw",
            "deliverables",
            fill_to(
                {"deliverable": {"projectOmgJobNumber": "OMG-BENCH-1", "name": "Worst", "priority": "HIGH"}}, "raw"
            ),
        ),
        (
            "v1 projects: 1 MiB customFields",
            "api_v1:projects",
            fill_to({"name": "Worst", "omgJobNumber": "OMG-BENCH-2", "customFields": {}}, "customFields"),
        ),
        (
            "rest briefs: 1 MiB rawPayload",
            "briefs_api:create",
            fill_to({"title": "Worst", "externalId": "B-1", "rawPayload": {}}, "rawPayload"),
        ),
    ]


def send(client: Client, target: str, body: bytes, api_key: str):
    if target in HEADERS:
        signature = "sha256=" + hmac.new(b"bench-secret", body, hashlib.sha256).hexdigest()
        url = reverse(f"inbound:webhook-{target}")
        return client.post(url, body, content_type="application/json", **{HEADERS[target]: signature})
    extra = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"} if target.startswith("api_v1") else {}
    return client.post(reverse(target), body, content_type="application/json", **extra)


def main() -> None:
    call_command("migrate", verbosity=0)
    organisation = organisation_default()
    if not Project.objects.filter(omg_job_number="OMG-BENCH-1").exists():
        project_create(organisation=organisation, name="Bench parent", omg_job_number="OMG-BENCH-1")
    user, _ = User.objects.get_or_create(
        username="bench-worst", defaults={"role": User.Role.ADMIN, "organisation": organisation}
    )
    _key, secret = api_key_create(organisation=organisation, name="bench", scopes=list(ApiKey.Scope.values))
    client = Client()
    client.force_login(user)

    from django.db import connection

    send(client, "briefs", b'{"title": "warm-up"}', secret)  # the first request of a process pays for imports
    print(f"database: {connection.vendor}; {REPEAT} requests each; body limit {LIMIT} bytes")
    print(f"{'case':<40} | {'bytes':>9} | {'status':>6} | {'answer':>7} | {'median ms':>9} | {'max ms':>8}")
    worst = 0.0
    for name, target, body in cases():
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = send(client, target, body, secret)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code < 500, (name, response.status_code, response.content[:300])
        worst = max(worst, max(timings))
        print(
            f"{name:<40} | {len(body):>9} | {response.status_code:>6} | {len(response.content):>7} | "
            f"{statistics.median(timings):>9.1f} | {max(timings):>8.1f}"
        )
    print(f"worst single request: {worst:.0f} ms")

    # A brief page renders the description Markdown: the largest one the webhook takes.
    from briefs.models import Brief

    brief = Brief.objects.filter(description__startswith="word ").order_by("-id").first()
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(reverse("briefs:detail", args=[brief.pk]))
        timings.append((time.perf_counter() - started) * 1000)
    print(f"brief page with a {len(brief.description)}-character description: {statistics.median(timings):.0f} ms")


if __name__ == "__main__":
    main()
