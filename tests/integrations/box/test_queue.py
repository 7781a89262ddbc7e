"""How Box work reaches Celery: by task name from `queue`, never by the services importing `tasks`."""

import ast
from pathlib import Path

import pytest
from celery import current_app

from integrations.box import queue
from integrations.box.models import BoxPushLog
from integrations.box.services import box_push_queue

from .conftest import add_revision

BOX = Path(queue.__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", [*sorted((BOX / "services").glob("*.py")), BOX / "queue.py"], ids=lambda p: p.name)
def test_the_services_and_the_queue_never_import_the_tasks(path):
    # Any import, at module or function level: `tasks` imports `services`, so this would be a cycle.
    assert not [name for name in _imported_modules(path) if name.split(".")[-1] == "tasks"]


def test_every_name_the_queue_sends_is_a_registered_task():
    for name in (queue.PUSH, queue.INBOUND_PROCESS, queue.PUSH_SWEEP):
        assert name in current_app.tasks


@pytest.mark.django_db
def test_in_eager_mode_a_send_by_name_runs_the_task_in_process(fake_box, deliverable, monkeypatch):
    if not current_app.conf.task_always_eager:
        pytest.skip("CELERY_TASK_ALWAYS_EAGER is off (a broker is configured): nothing runs in-process")

    def no_broker(*args, **kwargs):
        raise AssertionError("send_task ignores eager mode and looks for a broker")

    monkeypatch.setattr(current_app, "send_task", no_broker)
    add_revision(deliverable)
    row = box_push_queue(deliverable=deliverable, trigger=BoxPushLog.Trigger.MANUAL)  # no commit: not sent yet
    queue.send_push(row.pk)
    row.refresh_from_db()
    assert row.outcome == BoxPushLog.Outcome.SENT
