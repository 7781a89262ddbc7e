"""A webhook receiver: a real HTTP server on 127.0.0.1 that records every request and answers as told.

    receiver = Receiver().start()
    receiver.answer(500)                          # the next request gets a 500 (then back to 200)
    receiver.answer(429, headers={"Retry-After": "120"}, times=2)
    receiver.answer(302, headers={"Location": "https://elsewhere.example/"})
    receiver.answer(410)
    receiver.hang(times=1)                        # accept, read, never answer (until stopped)
    receiver.requests[0].json()                   # what arrived: method, path, headers, raw body

With no script left, every request is answered 200 `{"ok": true}`. `tls=(cert_file, key_file)` serves https.
"""

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.time)

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == lower), None)


@dataclass
class Script:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: dict = field(default_factory=dict)
    hang: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a hanging answer has gone: expected


class Receiver:
    def __init__(self, *, tls: tuple[str, str] | None = None):
        self.requests: list[Received] = []
        self.script: list[Script] = []
        self.server_names: list[str | None] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hooks/tracker"

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status: int, *, body: bytes = b"", headers: dict | None = None, times: int = 1) -> None:
        with self._lock:
            self.script.extend(Script(status=status, body=body, headers=dict(headers or {})) for _ in range(times))

    def hang(self, *, times: int = 1) -> None:
        with self._lock:
            self.script.extend(Script(hang=True) for _ in range(times))

    def _next(self) -> Script:
        with self._lock:
            return self.script.pop(0) if self.script else Script()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - the http.server name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(Received("POST", self.path, dict(self.headers.items()), body))
                script = receiver._next()
                if script.hang:
                    receiver._released.wait(30)
                    return
                self.send_response(script.status)
                for name, value in script.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(script.body)))
                self.end_headers()
                self.wfile.write(script.body)

        return Handler
