"""Request bodies arrive whole however they are framed: Content-Length, or `Transfer-Encoding: chunked` as
gunicorn delivers it (decoded, with `wsgi.input_terminated`, and no CONTENT_LENGTH)."""

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse

from briefs.models import Brief
from integrations.inbound.models import WebhookReceipt
from integrations.inbound.signatures import signature_for
from tests.conftest import ROOT, _database_url_for_worker, require_postgres

BRIEF = json.dumps({"externalId": "CHUNKED-1", "title": "Sent in chunks", "priority": "HIGH"}).encode()


def call_wsgi(path: str, body: bytes, headers: dict, *, chunked: bool) -> tuple[int, bytes]:
    """Call the project's WSGI application with the environ gunicorn builds for the request."""
    from tracker.wsgi import application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.input_terminated": True,
        "CONTENT_TYPE": "application/json",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    status = []
    # As Django's test client does: the test's transaction holds the connection, so no request may close it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, lambda code, _headers: status.append(code))
        return int(status[0].split()[0]), b"".join(chunks)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_signed_brief_is_read_whole_however_it_is_framed(chunked):
    signature = signature_for(settings.BRIEF_WEBHOOK_SECRET, BRIEF)
    headers = {"X-Brief-Signature": signature}
    status, body = call_wsgi(reverse("inbound:webhook-briefs"), BRIEF, headers, chunked=chunked)
    assert status == 200, body
    assert Brief.objects.get().title == "Sent in chunks"
    assert WebhookReceipt.objects.get().body_bytes == len(BRIEF)


@pytest.mark.django_db
def test_a_chunked_body_over_the_webhook_limit_is_a_413_with_its_receipt(settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    status, body = call_wsgi(reverse("inbound:webhook-briefs"), b"{" + b" " * 200 + b"}", {}, chunked=True)
    assert (status, json.loads(body)) == (413, {"error": "payload too large", "maxBytes": 100})
    assert WebhookReceipt.objects.get().status_code == 413


@pytest.mark.django_db
def test_a_chunked_body_longer_than_any_endpoint_takes_is_refused_without_reading_it_all(settings):
    settings.REVISION_MAX_UPLOAD_BYTES = 0
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    limit = 1024 * 1024
    stream = io.BytesIO(b"x" * (3 * limit))
    from tracker.chunked import ChunkedRequestBody

    app = ChunkedRequestBody(lambda environ, start_response: pytest.fail("the application was called"))
    status = []
    environ = {"wsgi.input": stream, "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
    body = b"".join(app(environ, lambda code, _headers: status.append(code)))
    assert status == ["413 Request Entity Too Large"]
    assert json.loads(body) == {"error": "payload too large", "maxBytes": limit}
    assert stream.tell() < 2 * limit


# --- The same through a real gunicorn ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_server(transactional_db):
    """gunicorn serving the project on 127.0.0.1, on the test database (which must be Postgres to be shared)."""
    require_postgres()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url_for_worker(), "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_gunicorn_delivers_a_chunked_signed_brief_whole(gunicorn_server):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_server, timeout=30)
    headers = {
        "Content-Type": "application/json",
        "X-Brief-Signature": signature_for(settings.BRIEF_WEBHOOK_SECRET, BRIEF),
        "Transfer-Encoding": "chunked",
    }
    # Three chunks, as a streaming client would send them.
    connection.request(
        "POST",
        reverse("inbound:webhook-briefs"),
        body=iter([BRIEF[:10], BRIEF[10:30], BRIEF[30:]]),
        headers=headers,
        encode_chunked=True,
    )
    response = connection.getresponse()
    assert response.status == 200, response.read()
    assert json.loads(response.read())["ok"] is True
    assert Brief.objects.get().external_id == "CHUNKED-1"
