"""Benchmark: dry run and commit of an OMG export of 1,000 and of 10,000 rows, with time and peak memory.

Run with `make bench`: each size runs in a process of its own on a fresh SQLite file
(var/bench-import-<rows>.sqlite3), or on the database DATABASE_URL names (a throwaway Postgres one: each size uses
job numbers of its own). BENCH_IMPORT_ROWS="1000,10000" changes the sizes. For each step, upload + dry run (read,
count, plan, store the report), the commit (every row through `project_intake`) and a dry run of the same file
again (every row unchanged), it prints the wall time, this process's CPU time (the steadier figure on a shared
machine) and its peak resident memory during that step (Linux's VmHWM, reset before each step). Memory that stays
flat from 1,000 to 10,000 rows is the point: the reader streams, and each step works a chunk of rows at a time.
BENCH_TRACEMALLOC=1 adds the Python heap's peak (and slows everything down).
"""

import io
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(size) for size in os.environ.get("BENCH_IMPORT_ROWS", "1000,10000").split(",")]
TEAMS = ["Events", "brand", "b2b", "Content", "Performance"]
PRIORITIES = ["high", "medium", "low", "priority"]
STATUSES = ["In Production", "Brief in review", "Amends", "On hold", "Client Review"]


def workbook(rows: int) -> bytes:
    """An OMG-style export: a title row, the header, then one job per row (dates as dates and as serials)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("OMG Export")
    sheet.append(["OMG job export — benchmark"])
    sheet.append(["OMG #", "Project Name", "Client", "Team", "Category", "Priority", "Status", "Outputs",
                  "Accepted", "External Deadline", "Notes"])  # fmt: skip
    start = date(2026, 1, 5)
    for i in range(rows):
        sheet.append([
            f"OMG-{rows}-{i}", f"Bench job {i}", "Dow Jones", TEAMS[i % 5], "Display", PRIORITIES[i % 4],
            STATUSES[i % 5], i % 7, start + timedelta(days=i % 90), 46157 + i % 60, f"Row {i}",
        ])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark for this process (Linux), so each step reports its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux; since the process started


def timed(label: str, rows: int, step):
    trace = os.environ.get("BENCH_TRACEMALLOC") == "1"
    _reset_peak()
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    result = step()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    heap = ""
    if trace:
        heap = f" | heap peak {tracemalloc.get_traced_memory()[1] / 1e6:>6.1f} MB"
        tracemalloc.stop()
    print(f"{rows:>6,} rows | {label:<26} | {seconds:>7.2f} s | CPU {cpu:>6.2f} s | {rows / seconds:>6.0f} rows/s "
          f"| peak RSS {_peak_mb():>5.0f} MB{heap}", flush=True)  # fmt: skip
    return result


def run(rows: int) -> None:
    """One size, in this process (the parent starts one process per size)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if "DATABASE_URL" not in os.environ:
        database = ROOT / "var" / f"bench-import-{rows}.sqlite3"
        database.parent.mkdir(exist_ok=True)
        database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    import django

    django.setup()
    from django.core.management import call_command

    from spreadsheets import services, steps
    from tracker.services import organisation_default

    call_command("migrate", verbosity=0)
    organisation = organisation_default()
    content = workbook(rows)

    def dry_run():
        upload = services.spreadsheet_import_upload(
            organisation=organisation, actor=None, file_name="bench.xlsx", content=content
        )
        services.spreadsheet_import_set_mapping(
            spreadsheet_import=upload, actor=None, mapping=upload.mapping, enqueue=False
        )
        return steps.spreadsheet_import_plan(import_id=upload.pk)

    def commit(planned):
        services.spreadsheet_import_start_commit(
            spreadsheet_import=planned, actor=None, sha256=planned.sha256, enqueue=False
        )
        return steps.spreadsheet_import_commit(import_id=planned.pk)

    planned = timed("upload + dry run", rows, dry_run)
    assert planned.summary["create"] == rows, planned.summary
    done = timed("commit", rows, lambda: commit(planned))
    assert done.summary["results"] == {"created": rows}, done.summary
    again = timed("dry run again (unchanged)", rows, dry_run)
    assert again.summary["unchanged"] == rows, again.summary


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--rows":
        run(int(sys.argv[2]))
        return
    database = os.environ.get("DATABASE_URL", "").split(":", 1)[0] or "sqlite"
    print(f"spreadsheet import on {database}; one process per size; {os.cpu_count()} CPUs", flush=True)
    for rows in SIZES:
        subprocess.run([sys.executable, "-m", "bench.spreadsheet_import", "--rows", str(rows)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
