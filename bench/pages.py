"""The page table: queries and server time (p50/p95) of every page and list endpoint, at small and large volume.

    .venv/bin/python -m bench.pages            # or `make bench`, which runs it after the intake comparison

Runs on a throwaway database: with POSTGRES_URL (or a Postgres DATABASE_URL) one is created beside it and dropped
at the end; otherwise a fresh SQLite file under var/bench/. Data comes from bench/data.py (small, then grown to
studio scale). Each page is requested through Django's test client, BENCH_WARMUP times unmeasured and then
BENCH_REQUESTS times; the time is the whole request in this process (middleware, view, template), which is what a
gunicorn worker spends on it. A page "holds" when its query count is the same at both volumes; the issue's bound
is p95 under 100 ms at the large volume.
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "bench"
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
BOUND_MS = 100.0


def _database() -> tuple[str, str | None]:
    """The database URL to use and, for Postgres, the throwaway database's name (dropped at the end)."""
    server = os.environ.get("POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        name = f"tracker_pages_{uuid.uuid4().hex[:8]}"
        import psycopg

        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"{server.rsplit('/', 1)[0]}/{name}", name
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "pages.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", None


def _drop(name: str) -> None:
    import psycopg

    server = os.environ.get("POSTGRES_URL") or os.environ["DATABASE_URL"]
    with psycopg.connect(server.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pages(urls: dict) -> list[tuple[str, str, dict]]:
    """(name, path, headers) of every page the issue lists."""
    from django.urls import reverse

    api = {"HTTP_AUTHORIZATION": f"Bearer {urls['api_secret']}"}
    p, d, s = urls["project"], urls["deliverable"], urls["session"]
    return [
        ("home", reverse("home"), {}),
        ("inbox", reverse("briefs:inbox"), {}),
        ("inbox filtered", reverse("briefs:inbox") + f"?priority=HIGH&client_team={urls['team']}", {}),
        ("inbox searched", reverse("briefs:inbox") + "?q=banner", {}),
        ("inbox last page", reverse("briefs:inbox") + f"?page={urls['inbox_last_page']}", {}),
        ("brief", reverse("briefs:detail", args=[urls["brief"]]), {}),
        ("projects list", reverse("projects:list"), {}),
        ("projects searched", reverse("projects:list") + "?q=poster", {}),
        ("project", reverse("projects:detail", args=[p]), {}),
        ("deliverables list", reverse("deliverables:list"), {}),
        ("deliverable", reverse("deliverables:detail", args=[d]), {}),
        ("reviews list", reverse("reviews:list"), {}),
        ("review builder", reverse("reviews:new"), {}),
        ("review session", reverse("reviews:detail", args=[s]), {}),
        ("review presenter", reverse("reviews:present", args=[s]), {}),
        ("review summary", reverse("reviews:summary", args=[s]), {}),
        ("annotation page", reverse("reviews:annotate", args=[urls["annotated"]]), {}),
        ("notifications", reverse("notifications"), {}),
        ("settings: API keys", reverse("api_keys"), {}),
        ("settings: integrations", reverse("upstream:integrations"), {}),
        ("settings: webhooks", reverse("outbound:endpoints"), {}),
        ("settings: pipelines", reverse("projects:pipelines"), {}),
        ("admin briefs", reverse("admin:briefs_brief_changelist"), {}),
        ("admin projects", reverse("admin:projects_project_changelist"), {}),
        ("admin deliverables", reverse("admin:deliverables_deliverable_changelist"), {}),
        ("admin receipts", reverse("admin:inbound_webhookreceipt_changelist"), {}),
        ("GET /api/reviews/", reverse("api-reviews"), {}),
        ("GET /api/v1/projects", reverse("api_v1:projects"), api),
        ("GET /api/v1/projects deep", reverse("api_v1:projects") + f"?cursor={urls['deep_cursor']}", api),
    ]


def measure(client, path: str, headers: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
    timings, queries, size = [], 0, 0
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, **headers)
            timings.append((time.perf_counter() - started) * 1000)
        queries, size = len(captured), len(response.content)
    timings.sort()
    return {
        "queries": queries,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "kb": round(size / 1024, 1),
    }


def _targets(organisation, user) -> dict:
    """The rows the detail pages open: the biggest of each, and a cursor deep into the API's project list."""
    from django.db.models import Count

    from api_v1.selectors import v1_project_list
    from briefs.models import Brief
    from deliverables.models import Deliverable
    from reviews.models import FeedbackItem, ReviewSession
    from tracker.api.pagination import encode_cursor
    from tracker.api.services import api_key_create

    project = organisation.projects.annotate(n=Count("deliverables")).order_by("-n", "id").first()
    session = ReviewSession.objects.filter(status="IN_PROGRESS").annotate(n=Count("items")).order_by("-n").first()
    annotated = FeedbackItem.objects.order_by("-id").values_list("revision__deliverable_id", flat=True).first()
    newest = list(v1_project_list(organisation=organisation).order_by("-updated_at", "-id")[:900])
    deep = newest[max(0, len(newest) - 50)]  # 50 rows before the end at the small volume, 850 rows deep at large
    _key, secret = api_key_create(organisation=organisation, name="bench", scopes=["projects:read"], created_by=user)
    pending = Brief.objects.filter(organisation=organisation, status=Brief.Status.PENDING).count()
    return {
        "team": organisation.client_teams.order_by("id").values_list("pk", flat=True)[0],
        "inbox_last_page": max(1, -(-pending // 25)),
        "brief": Brief.objects.order_by("id").values_list("pk", flat=True).first(),
        "project": project.pk,
        "deliverable": Deliverable.objects.filter(project=project).order_by("id").values_list("pk", flat=True)[0],
        "session": session.pk,
        "annotated": annotated,
        "deep_cursor": encode_cursor(deep.updated_at, deep.pk),
        "api_secret": secret,
    }


def run() -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.data import LARGE, SMALL, seed
    from tracker.models import User
    from tracker.services import organisation_default

    call_command("migrate", verbosity=0)
    organisation = organisation_default()
    user = User.objects.create_superuser("bench", "bench@example.com", "bench", role=User.Role.ADMIN,
                                         organisation=organisation)  # fmt: skip
    client = Client()
    client.force_login(user)
    results: dict = {"database": connection.vendor, "requests": REQUESTS, "pages": {}}
    for volume, scale in (("small", SMALL), ("large", LARGE)):
        started = time.perf_counter()
        grow = scale if volume == "small" else {k: v - SMALL[k] for k, v in scale.items()}
        grow["deliverables"] = scale["deliverables"]
        seed(organisation=organisation, user=user, scale=grow)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a load: fresh statistics and maps
        print(f"{volume}: data loaded in {time.perf_counter() - started:.0f} s", flush=True)
        targets = _targets(organisation, user)
        for name, path, headers in pages(targets):
            results["pages"].setdefault(name, {})[volume] = measure(client, path, headers)
            row = results["pages"][name][volume]
            print(f"  {name:<28} {row['queries']:>4} q  p50 {row['p50_ms']:>7.1f}  p95 {row['p95_ms']:>7.1f} ms",
                  flush=True)  # fmt: skip
    return results


def table(results: dict) -> str:
    lines = [
        f"Pages ({results['database']}, {results['requests']} requests each after warm-up; time in ms)",
        "",
        "| page | queries small | queries large | p50 small | p95 small | p50 large | p95 large | KB large | holds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in results["pages"].items():
        small, large = row["small"], row["large"]
        # An empty small page can skip its row query: a page holds when its queries do not grow.
        holds = large["queries"] <= small["queries"] and large["p95_ms"] < BOUND_MS
        lines.append(
            f"| {name} | {small['queries']} | {large['queries']} | {small['p50_ms']} | {small['p95_ms']} | "
            f"{large['p50_ms']} | {large['p95_ms']} | {large['kb']} | {'yes' if holds else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> dict:
    url, throwaway = _database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DEBUG", "false")
    try:
        return run()
    finally:
        if throwaway:
            from django.db import connections

            connections.close_all()
            _drop(throwaway)


if __name__ == "__main__":
    import json

    results = main()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pages.json").write_text(json.dumps(results, indent=2))
    (OUT / "pages.md").write_text(table(results) + "\n")
    print(table(results))
