"""A file server: a real HTTP server on 127.0.0.1 that answers GETs from a table of paths.

files = FileServer().start()
files.serve("/assets/hero.png", PNG, content_type="image/png")
files.redirect("/assets/1", "/assets/hero.png")      # 302 to another path (or an absolute URL)
files.serve("/big", b"x" * 10, declared_length=None) # no Content-Length: the body runs until the connection closes
files.fail("/flaky", 503, times=1)                    # a 503 once, then the path's file
files.url("/assets/hero.png"); files.requests          # where it is; the paths asked for, in order
"""

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Entry:
    body: bytes = b""
    content_type: str = "application/octet-stream"
    headers: dict = field(default_factory=dict)
    status: int = 200
    declared_length: int | None = -1  # -1: the body's real length; None: no Content-Length header at all


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that stopped reading a file over the limit has gone: expected


class FileServer:
    def __init__(self):
        self.entries: dict[str, Entry] = {}
        self.failures: dict[str, list[int]] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "FileServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve(self, path: str, body: bytes, *, content_type: str = "application/octet-stream", **extra) -> None:
        self.entries[path] = Entry(body=body, content_type=content_type, **extra)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.entries[path] = Entry(status=status, headers={"Location": location})

    def fail(self, path: str, status: int, *, times: int = 1) -> None:
        self.failures.setdefault(path, []).extend([status] * times)

    def _handler(self):
        files = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the http.server name
                with files._lock:
                    files.requests.append(self.path)
                    failures = files.failures.get(self.path)
                    failed = failures.pop(0) if failures else None
                entry = files.entries.get(self.path, Entry(status=404))
                status = failed or entry.status
                body = entry.body if status == 200 else b""
                self.send_response(status)
                for name, value in entry.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", entry.content_type)
                if entry.declared_length is not None:
                    declared = len(body) if entry.declared_length == -1 else entry.declared_length
                    self.send_header("Content-Length", str(declared))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)
                self.close_connection = True

        return Handler
