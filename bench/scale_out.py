"""Scale-out proof: two gunicorn instances and two Celery workers on one Postgres database and one Redis, a worker
killed midway, and nothing lost or done twice.

    .venv/bin/python -m bench.scale_out                  # the full run
    .venv/bin/python -m bench.scale_out --quick --json   # what tests/ops/test_scale_out.py runs in CI

Needs Postgres (POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres: a throwaway database is created
beside it and dropped at the end) and Redis (REDIS_URL, default redis://127.0.0.1:6379; a queue name and cache key
prefix of its own, so it shares a Redis database with nothing). Box is the fake Box of the test suite and the
outbound webhooks go to two receivers on 127.0.0.1, all served by this process.

What it does: sets up an organisation's API key and two outbound endpoints (for `deliverable.approved`); starts
both instances (two gunicorn workers each) and both workers (prefork, two children each); sends the OMG and
deliverable webhooks and the API calls to both instances in turn; floods the briefs webhook from one address at
both instances at once; uploads a file to each deliverable and approves them all through the API, with Box
answering uploads slowly; SIGKILLs one worker (its whole process group) while pushes are running; and sends the
periodic sweeps every second, twice each, as an over-eager scheduler would, so they overlap on the workers.

What it checks: the rate limit let exactly WEBHOOK_RATE_LIMIT calls through across both instances; every webhook
call has its receipt; every approval made one Box push that reached Box once (one file, one version) and one
outbound delivery per endpoint, received; every event was dispatched; the metrics scraped from one instance count
what every process did. Exit status 1 when a check fails.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import (  # noqa: E402
    PY,
    SECRETS,
    environment,
    gunicorn,
    start,
    stop,
    wait_until,
    worker,
)
from bench.scale_out_checks import verify  # noqa: E402

OMG = "OMG-70001"


class Run:
    """One run: the services it serves itself, the processes, the traffic, the checks."""

    def __init__(self, args, work: Path, db_name: str):
        self.args, self.work, self.db_name = args, work, db_name
        self.processes: list[subprocess.Popen] = []
        self.numbers: dict = {}
        self.checks: dict = {}
        self.lock = threading.Lock()
        self.client_ip = "10.{}.{}.{}".format(*random.sample(range(1, 255), 3))

    # --- setting up -------------------------------------------------------------------------------------------
    def serve_fakes(self):
        from tests.integrations.box import conftest as box
        from tests.integrations.box.fake_box import FakeBox
        from tests.integrations.outbound.receiver import Receiver

        keys = box._key_pair(box.PASSPHRASE)
        self.box = FakeBox(
            public_key_pem=keys.public_pem,
            client_id=box.CLIENT_ID,
            client_secret=box.CLIENT_SECRET,
            enterprise_id=box.ENTERPRISE_ID,
            key_id=box.KEY_ID,
        ).start()
        root = self.box.add_folder("Client deliveries")
        config = self.work / "box_config.json"
        config.write_text(json.dumps(box.box_app_config(keys.private_pem)))
        self.receivers = [Receiver().start(), Receiver().start()]
        from integrations.outbound.services import outbound_endpoint_create

        self.endpoints = [
            outbound_endpoint_create(
                organisation=self.organisation, actor=self.admin, url=r.url, events=["deliverable.approved"]
            )[0]
            for r in self.receivers
        ]
        return {
            "BOX_CONFIG_FILE": config,
            "BOX_API_BASE_URL": self.box.url,
            "BOX_UPLOAD_BASE_URL": f"{self.box.url}/api",
            "BOX_OAUTH_BASE_URL": f"{self.box.url}/oauth2",
            "BOX_ROOT_FOLDER_ID": root,
        }

    def set_up_django(self):
        with open(self.work / "migrate.log", "w") as log:
            subprocess.run(
                [PY, "manage.py", "migrate", "--no-input"], cwd=ROOT, env=self.env, check=True, stdout=log, stderr=log
            )
        import django

        django.setup()
        from tracker.api.services import api_key_create
        from tracker.models import ApiKey, Organisation, User

        organisation = Organisation.objects.get(slug="default")
        admin = User.objects.create_user("scale-admin", role=User.Role.ADMIN, organisation=organisation)
        _, self.api_key = api_key_create(
            organisation=organisation, name="scale-out", scopes=[s.value for s in ApiKey.Scope], created_by=admin
        )
        self.organisation, self.admin = organisation, admin

    def start_processes(self):
        from django.conf import settings

        self.base = settings.TRACKER_BASE_PATH
        ports = [int(p) for p in self.args.ports.split(",")]
        self.urls = [f"http://127.0.0.1:{port}{self.base}" for port in ports]
        for index, port in enumerate(ports):
            self.processes.append(start(f"web{index + 1}", gunicorn(port), self.env, self.work))
        self.workers = [
            start(f"worker{n}", worker(f"w{n}", self.env["CELERY_TASK_DEFAULT_QUEUE"]), self.env, self.work)
            for n in (1, 2)
        ]
        self.processes.extend(self.workers)
        import requests

        def web_up():
            try:
                return all(requests.get(f"{url}/login/", timeout=2).status_code == 200 for url in self.urls)
            except requests.RequestException:
                return False

        wait_until(web_up, 60, "both gunicorn instances")
        from tracker import celery_app

        names = {f"w{n}@{os.uname().nodename}" for n in (1, 2)}
        wait_until(lambda: names <= {n for r in celery_app.control.ping(timeout=1) for n in r}, 60, "both workers")
        self.worker_names = sorted(names)

    # --- traffic ----------------------------------------------------------------------------------------------
    def webhook(self, index: int, route: str, body: dict):
        import requests

        from integrations.inbound.signatures import signature_for

        raw = json.dumps(body).encode()
        secret = SECRETS[
            {
                "briefs": "BRIEF_WEBHOOK_SECRET",
                "omg": "OMG_WEBHOOK_SECRET",
                "deliverables": "DELIVERABLE_WEBHOOK_SECRET",
            }[route]
        ]
        header = {"briefs": "X-Brief-Signature", "omg": "X-OMG-Signature", "deliverables": "X-Deliverable-Signature"}
        with self.lock:
            self.webhook_calls += 1
        return requests.post(
            f"{self.urls[index % 2]}/api/webhooks/{route}",
            data=raw,
            timeout=30,
            headers={
                "Content-Type": "application/json",
                "X-Forwarded-For": self.client_ip,
                header[route]: signature_for(secret, raw),
            },
        )

    def api(self, index: int, path: str, body: dict):
        import requests

        return requests.post(
            f"{self.urls[index % 2]}/api/v1/{path}",
            json=body,
            timeout=30,
            headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": uuid.uuid4().hex},
        )

    def drive(self):
        from concurrent.futures import ThreadPoolExecutor

        from projects.models import Project

        self.webhook_calls = 0
        answer = self.webhook(0, "omg", {"event": "job.updated", "job": {"number": OMG, "name": "Scale-out launch"}})
        assert answer.status_code == 200, answer.text
        project = Project.objects.get(omg_job_number=OMG)
        count = self.args.deliverables
        self.names = [f"Banner {n:02d}" for n in range(count)]
        for n, name in enumerate(self.names):
            if n % 2:
                answer = self.api(n, f"projects/{project.pk}/deliverables", {"name": name, "status": "IN_PROGRESS"})
            else:
                body = {
                    "event": "deliverable.updated",
                    "deliverable": {"projectOmgJobNumber": OMG, "name": name, "status": "IN_PROGRESS"},
                }
                answer = self.webhook(n, "deliverables", body)
            assert answer.status_code in (200, 201), answer.text
        # The flood: one address, both instances, all at once.
        briefs = [
            {"externalId": f"FLOOD-{n}", "title": f"Brief {n}", "requestorName": "Scale"}
            for n in range(self.args.flood)
        ]
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda nb: self.webhook(nb[0], "briefs", nb[1]).status_code, enumerate(briefs)))
        self.numbers["flood"] = {str(code): statuses.count(code) for code in sorted(set(statuses))}
        self.project = project

    def approve_and_kill(self):
        from concurrent.futures import ThreadPoolExecutor

        from django.core.files.base import ContentFile

        from deliverables.models import Deliverable
        from integrations.box.models import BoxPushLog
        from reviews.services import revision_upload
        from tracker import celery_app

        self.deliverables = list(Deliverable.objects.filter(project=self.project).order_by("name"))
        for deliverable in self.deliverables:
            content = b"\x89PNG\r\n\x1a\n" + deliverable.slug.encode() * 50
            revision_upload(
                deliverable=deliverable, file=ContentFile(content, name="art.png"), actor=None, name="art.png"
            )
        # Box takes its time over every upload, so pushes are running when a worker dies.
        self.box.fail_next(len(self.deliverables), mode="slow", delay=2.0, path="/api/2.0/files/content")
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda nd: (
                        self.api(
                            nd[0],
                            f"projects/{self.project.pk}/deliverables",
                            {"name": nd[1].name, "status": "APPROVED"},
                        ).status_code
                    ),
                    enumerate(self.deliverables),
                )
            )
        assert set(answers) == {200}, answers

        def pushing_worker():
            """The name of a worker running a Box push right now, if any."""
            active = celery_app.control.inspect(self.worker_names, timeout=1).active() or {}
            busy = [name for name, tasks in active.items() if any(t["name"] == "box.push" for t in tasks)]
            return sorted(busy)[0] if busy else None

        victim = wait_until(pushing_worker, 30, "a worker to be running a Box push", every=0.1)
        self.numbers["running_pushes_at_kill"] = BoxPushLog.objects.filter(outcome="running").count()
        os.killpg(self.workers[self.worker_names.index(victim)].pid, signal.SIGKILL)
        self.numbers["killed"] = victim

    def sweep_until_done(self):
        from deliverables.models import Deliverable
        from integrations.box.models import BoxPushLog
        from integrations.outbound.models import OutboundDelivery
        from tracker import celery_app
        from tracker.models import Event

        queue = self.env["CELERY_TASK_DEFAULT_QUEUE"]
        approved = {d.pk for d in self.deliverables}

        def done():
            for name in ("box.push_sweep", "outbound.sweep", "tracker.events_sweep"):
                for _ in range(2):  # an over-eager scheduler: every sweep twice a second
                    celery_app.send_task(name, queue=queue)
            pushed = set(BoxPushLog.objects.filter(outcome="sent").values_list("deliverable_id", flat=True))
            sent = OutboundDelivery.objects.filter(status="succeeded").count()
            return (
                pushed >= approved
                and sent >= len(approved) * len(self.endpoints)
                and not Event.objects.filter(dispatched_at__isnull=True).exists()
            )

        started = time.monotonic()
        wait_until(done, 90, "every push, delivery and event", every=1.0)
        self.numbers["seconds_to_recover"] = round(time.monotonic() - started, 1)
        assert Deliverable.objects.filter(pk__in=approved, status="APPROVED").count() == len(approved)

    def execute(self) -> dict:
        try:
            self.env = environment(self.args, self.work, self.db_name)
            started = time.monotonic()
            self.set_up_django()
            self.env.update({name: str(value) for name, value in self.serve_fakes().items()})
            self.start_processes()
            self.drive()
            self.approve_and_kill()
            self.sweep_until_done()
            verify(self)
            self.numbers["seconds"] = round(time.monotonic() - started, 1)
        except Exception as error:
            self.check("the run completed", False, f"{type(error).__name__}: {error}")
            self.numbers["logs"] = {p.name: p.log_path.read_text()[-3000:] for p in self.processes}
        finally:
            for server in [getattr(self, "box", None), *getattr(self, "receivers", [])]:
                if server is not None:
                    server.stop()
            from django.db import connections

            connections.close_all()
        return {"checks": self.checks, "numbers": self.numbers}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer deliverables and calls (the CI test)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("SCALE_OUT_REDIS_DB", "13")))
    parser.add_argument("--ports", default="18471,18472")
    args = parser.parse_args(argv)
    args.deliverables = 4 if args.quick else 12
    args.rate_limit = 20 if args.quick else 60
    args.flood = args.rate_limit + (10 if args.quick else 40)

    import psycopg

    db_name = f"tracker_scale_{os.getpid()}"
    with psycopg.connect(args.postgres_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        admin.execute(f'CREATE DATABASE "{db_name}"')
    run = None
    try:
        with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp:
            run = Run(args, Path(tmp), db_name)
            try:
                report = run.execute()
            finally:
                stop(run.processes)
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        for name, check in report["checks"].items():
            print(f"{'ok  ' if check['ok'] else 'FAIL'} {name}: {check['detail']}")
        print(json.dumps(report["numbers"], indent=2, default=str))
    return 0 if report["checks"] and all(check["ok"] for check in report["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
