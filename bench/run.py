"""Benchmarks: how the busiest pages and the intake webhook behave as data grows.

Run with `make bench` (SQLite file var/bench.sqlite3) or with DATABASE_URL set to a throwaway Postgres database.
For each size it seeds briefs, projects and deliverables, then reports the median time and the query count of
the inbox, the projects list and a project detail page, and the throughput of the signed briefs webhook.
The query counts must not grow with the row count; the times show the cost of rendering more rows per page.
"""

import hashlib
import hmac
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("BRIEF_WEBHOOK_SECRET", "bench-secret")
os.environ.setdefault("WEBHOOK_RATE_LIMIT", "1000000/m")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from briefs.models import Brief  # noqa: E402
from deliverables.services import deliverable_upsert  # noqa: E402
from projects.models import Project  # noqa: E402
from projects.services import project_create  # noqa: E402
from tracker.models import User  # noqa: E402
from tracker.services import organisation_default  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "50,500,2000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def seed(total_briefs: int, total_projects: int) -> Project:
    organisation = organisation_default()
    have = Brief.objects.count()
    Brief.objects.bulk_create(
        Brief(organisation=organisation, title=f"Bench brief {i}", description="**Bench** brief", source="bench")
        for i in range(have, total_briefs)
    )
    last = None
    for i in range(Project.objects.count(), total_projects):
        last = project_create(organisation=organisation, name=f"Bench project {i}", omg_job_number=f"BENCH-{i}")
        for d in range(3):
            deliverable_upsert(project=last, name=f"Deliverable {d}", due_date=timezone.localdate() + timedelta(d))
    return last or Project.objects.order_by("-id").first()


def measure(client: Client, url: str) -> tuple[float, int]:
    timings, queries = [], 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(timings) * 1000, queries


def webhook_throughput(client: Client, calls: int = 200) -> float:
    url = reverse("inbound:webhook-briefs")
    started = time.perf_counter()
    for i in range(calls):
        body = json.dumps({"externalId": f"BENCH-WH-{i % 50}", "title": f"Webhook brief {i}", "system": "bench"})
        signature = hmac.new(b"bench-secret", body.encode(), hashlib.sha256).hexdigest()
        response = client.post(url, body, content_type="application/json", HTTP_X_BRIEF_SIGNATURE=f"sha256={signature}")
        assert response.status_code == 200, response.content
    return calls / (time.perf_counter() - started)


def main() -> None:
    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"role": User.Role.ADMIN, "organisation": organisation_default()}
    )
    client = Client()
    client.force_login(user)
    print(f"database: {connection.vendor}; median of {REPEAT} requests")
    print(f"{'rows':>6} | {'page':<16} | {'ms':>8} | {'queries':>7}")
    for size in SIZES:
        project = seed(total_briefs=size, total_projects=max(1, size // 10))
        pages = {
            "briefs inbox": reverse("briefs:inbox"),
            "projects list": reverse("projects:list"),
            "project detail": reverse("projects:detail", args=[project.pk]),
        }
        for name, url in pages.items():
            ms, queries = measure(client, url)
            print(f"{size:>6} | {name:<16} | {ms:>8.1f} | {queries:>7}")
    print(f"briefs webhook: {webhook_throughput(client):.0f} signed requests/s (one process, upserts on externalId)")


if __name__ == "__main__":
    main()
