"""Benchmark: dry run and commit of a 10,000-row OMG export, with time and peak memory.

Run with `make bench` (a fresh SQLite file var/bench-import.sqlite3) or with DATABASE_URL set to a throwaway
Postgres database. BENCH_IMPORT_ROWS changes the size. It reports, for reading + planning (the dry run), the
commit (every row through `project_intake`), and a dry run of the same file again (every row unchanged): the
wall time, the Python heap's peak (tracemalloc) and the process's peak resident memory.
"""

import io
import os
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = ROOT / "var" / "bench-import.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
if "DATABASE_URL" not in os.environ:
    DATABASE.parent.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from spreadsheets import services  # noqa: E402
from tracker.services import organisation_default  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
TEAMS = ["Events", "brand", "b2b", "Content", "Performance"]
PRIORITIES = ["high", "medium", "low", "priority"]
STATUSES = ["In Production", "Brief in review", "Amends", "On hold", "Client Review"]


def workbook(rows: int) -> bytes:
    """An OMG-style export: a title row, the header, then one job per row (dates as dates and as serials)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("OMG Export")
    sheet.append(["OMG job export — benchmark"])
    sheet.append(["OMG #", "Project Name", "Client", "Team", "Category", "Priority", "Status", "Outputs",
                  "Accepted", "External Deadline", "Notes"])  # fmt: skip
    start = date(2026, 1, 5)
    for i in range(rows):
        sheet.append([
            f"OMG-{100000 + i}", f"Bench job {i}", "Dow Jones", TEAMS[i % 5], "Display", PRIORITIES[i % 4],
            STATUSES[i % 5], i % 7, start + timedelta(days=i % 90), 46157 + i % 60, f"Row {i}",
        ])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(label: str, step):
    tracemalloc.start()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{label:<28} | {seconds:>8.2f} s | {ROWS / seconds:>8.0f} rows/s | heap peak {peak / 1e6:>6.1f} MB "
          f"| process peak {rss:>6.0f} MB")  # fmt: skip
    return result


def dry_run(content: bytes, organisation):
    upload = services.spreadsheet_import_upload(
        organisation=organisation, actor=None, file_name="bench.xlsx", content=content
    )
    services.spreadsheet_import_set_mapping(
        spreadsheet_import=upload, actor=None, mapping=upload.mapping, enqueue=False
    )
    return services.spreadsheet_import_plan(import_id=upload.pk)


def commit(planned):
    services.spreadsheet_import_start_commit(
        spreadsheet_import=planned, actor=None, sha256=planned.sha256, enqueue=False
    )
    return services.spreadsheet_import_commit(import_id=planned.pk)


def main() -> None:
    call_command("migrate", verbosity=0)
    organisation = organisation_default()
    content = workbook(ROWS)
    print(f"database: {connection.vendor}; {ROWS:,} rows, file {len(content) / 1e6:.1f} MB")
    planned = timed("dry run (read + plan)", lambda: dry_run(content, organisation))
    assert planned.summary["create"] == ROWS, planned.summary
    done = timed("commit", lambda: commit(planned))
    assert done.summary["results"] == {"created": ROWS}, done.summary
    again = timed("dry run again (unchanged)", lambda: dry_run(content, organisation))
    assert again.summary["unchanged"] == ROWS, again.summary


if __name__ == "__main__":
    main()
