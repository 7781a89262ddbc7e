"""The nginx and Apache templates under deploy/, run for real on loopback ports in front of a stand-in for gunicorn
(tests/deploy/upstream_echo.py): legacy base paths answer 308 with the path and query as sent, the client address
reaches the tracker the way TRACKER_TRUSTED_PROXIES=1 reads it, media is never served from disk, revision files
are inert, readiness is for local callers. Needs the nginx and apache2 binaries (Debian packages)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import RequestFactory, override_settings

from integrations.webhooks.network import source_ip
from tests.conftest import ROOT, require_program

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")  # self-signed

BASE = "/loreal-prod-tracker"
LEGACY = "/dow-prod-tracker"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited: {process.stderr.read() if process.stderr else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"{what} did not listen on {port}")


@pytest.fixture
def certificate(tmp_path):
    require_program("openssl", "apt-get install openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1"]
        + ["-subj", "/CN=localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def upstream():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("upstream_echo.py")), str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(port, process, "the stand-in upstream")
    yield port
    process.terminate()
    process.wait(timeout=10)


def _start(command, port, what):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(port, process, what)
    return process


@pytest.fixture
def nginx(tmp_path, certificate, upstream):
    require_program("nginx", "apt-get install nginx-light")
    http, https = _free_port(), _free_port()
    values = {
        "SERVER_NAME": "localhost",
        "TRACKER_BASE_PATH": BASE,
        "TRACKER_LEGACY_BASE_PATH": LEGACY,
        "TRACKER_UPSTREAM": f"127.0.0.1:{upstream}",
        "TLS_CERTIFICATE": str(certificate[0]),
        "TLS_CERTIFICATE_KEY": str(certificate[1]),
    }
    text = (ROOT / "deploy/nginx/tracker.conf.template").read_text()
    for name, value in values.items():  # what envsubst with this list of names does
        text = text.replace("${" + name + "}", value)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http};").replace("listen [::]:80;", "")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    text = text.replace("listen [::]:443 ssl http2;", "")
    (tmp_path / "tracker.conf").write_text(text)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; {temp} include {tmp_path}/tracker.conf; }}\n"
    )
    process = _start(
        ["nginx", "-c", f"{tmp_path}/nginx.conf", "-p", str(tmp_path), "-g", "daemon off;"], https, "nginx"
    )
    yield f"https://127.0.0.1:{https}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def apache(tmp_path, certificate, upstream):
    require_program("apache2", "apt-get install apache2")
    http, https = _free_port(), _free_port()
    text = (ROOT / "deploy/apache/tracker.conf").read_text()
    text = text.replace("Define TRACKER_SERVER_NAME tracker.example.com", "Define TRACKER_SERVER_NAME localhost")
    text = text.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{upstream}")
    text = text.replace("/etc/ssl/certs/tracker.pem", str(certificate[0]))
    text = text.replace("/etc/ssl/private/tracker.key", str(certificate[1]))
    text = text.replace("<VirtualHost *:80>", f"<VirtualHost 127.0.0.1:{http}>")
    text = text.replace("<VirtualHost *:443>", f"<VirtualHost 127.0.0.1:{https}>")
    (tmp_path / "tracker.conf").write_text(text)
    modules = ["mpm_event", "authz_core", "authz_host", "alias", "headers", "rewrite", "proxy", "proxy_http"]
    modules += ["socache_shmcb", "ssl"]
    loads = "\n".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in modules)
    (tmp_path / "httpd.conf").write_text(
        f"ServerRoot {tmp_path}\nServerName localhost\n{loads}\nPidFile {tmp_path}/httpd.pid\n"
        f"ErrorLog {tmp_path}/error.log\nUser nobody\nGroup nogroup\nMutex file:{tmp_path}\n"
        f"DefaultRuntimeDir {tmp_path}\nListen 127.0.0.1:{http}\nListen 127.0.0.1:{https}\n"
        f"Include {tmp_path}/tracker.conf\n"
    )
    os.chmod(tmp_path, 0o755)
    process = _start(["apache2", "-f", f"{tmp_path}/httpd.conf", "-DFOREGROUND"], https, "apache2")
    yield f"https://127.0.0.1:{https}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["nginx", "apache"])
def proxy(request):
    return request.getfixturevalue(request.param)


def _call(method, url, **kwargs):
    return requests.request(method, url, verify=False, allow_redirects=False, timeout=10, **kwargs)  # noqa: S501


def test_legacy_paths_answer_308_with_path_and_query_kept(proxy):
    response = _call("POST", f"{proxy}{LEGACY}/api/webhooks/briefs?page=2&next=%2Fx", data=b"{}")
    assert response.status_code == 308
    assert response.headers["Location"].endswith(f"{BASE}/api/webhooks/briefs?page=2&next=%2Fx")
    assert _call("GET", f"{proxy}{LEGACY}").headers["Location"].endswith(BASE)
    assert _call("GET", f"{proxy}{LEGACY}-other/x").status_code == 404
    assert _call("GET", f"{proxy}{BASE}").headers["Location"].endswith(f"{BASE}/")


def test_the_tracker_gets_the_client_address_host_and_scheme(proxy):
    body = _call("GET", f"{proxy}{BASE}/api/v1/projects", headers={"X-Forwarded-For": "6.6.6.6"}).json()
    headers = {name.lower(): value for name, value in body["headers"].items()}
    assert body["path"] == f"{BASE}/api/v1/projects"  # the full path: no prefix stripped
    assert headers["x-forwarded-proto"] == "https"
    assert headers["host"].startswith("127.0.0.1")
    # The client's own claim stays on the left; with one trusted proxy the tracker takes what the proxy saw.
    assert headers["x-forwarded-for"].replace(" ", "") == "6.6.6.6,127.0.0.1"
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=headers["x-forwarded-for"], REMOTE_ADDR="127.0.0.1")
    with override_settings(TRACKER_TRUSTED_PROXIES=1):
        assert source_ip(request) == "127.0.0.1"


def test_media_is_never_served_from_disk(proxy):
    assert _call("GET", f"{proxy}{BASE}/media/revisions/1/file.pdf").status_code in (403, 404)


@pytest.mark.parametrize(
    ("number", "disposition"),
    [
        ("1", 'inline; filename="revision-1"'),
        ("2", 'attachment; filename="revision-2"'),
        ("3", 'attachment; filename="revision-3"'),
    ],
)
def test_revision_files_are_inert_and_only_images_inline(proxy, number, disposition):
    response = _call("GET", f"{proxy}{BASE}/revisions/{number}/file")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_readiness_through_the_proxy_is_for_local_callers(proxy):
    assert _call("GET", f"{proxy}{BASE}/readyz").status_code == 200  # from 127.0.0.1
