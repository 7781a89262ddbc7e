"""gunicorn.conf.py: two instances on one host each answer on their own port and each has its own control socket
(gunicorn 27's default is one path per user, which a second instance would take over)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from gunicorn.ctl.client import ControlClient

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def two_instances(tmp_path):
    ports = [_free_port(), _free_port()]
    # HOME and XDG_RUNTIME_DIR of their own, so gunicorn's shared default path would be the same for both.
    env = {**os.environ, "HOME": str(tmp_path), "WEB_CONCURRENCY": "1", "GUNICORN_CONTROL_SOCKET": ""}
    env.pop("XDG_RUNTIME_DIR", None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tracker.wsgi:application"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(_answers(port) for port in ports):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                pytest.fail(
                    "gunicorn did not start: "
                    + " | ".join(p.stderr.read()[-2000:] for p in processes if p.poll() is not None)
                )
            time.sleep(0.3)
        yield ports, processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()


def test_two_instances_on_one_host_both_answer_each_with_its_own_control_socket(two_instances, tmp_path):
    ports, processes = two_instances
    assert all(_answers(port) for port in ports)

    sockets = [ROOT / "var" / "run" / f"gunicorn-127.0.0.1-{port}.ctl" for port in ports]
    for port, path in zip(ports, sockets, strict=True):
        deadline = time.monotonic() + 20  # the control server starts just after the workers
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        with ControlClient(str(path), timeout=10) as client:
            listeners = client.send_command("show listeners")["listeners"]
        assert [listener["address"] for listener in listeners] == [f"http://127.0.0.1:{port}"]
    assert not (Path(tmp_path) / ".gunicorn" / "gunicorn.ctl").exists()  # nobody used the shared default

    # Stopping one leaves the other, and the other's control socket, alone.
    processes[0].terminate()
    processes[0].wait(timeout=40)
    assert not sockets[0].exists()
    assert sockets[1].exists() and _answers(ports[1])
