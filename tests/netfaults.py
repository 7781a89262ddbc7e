"""Loopback servers that misbehave the way a sick network service does, for the "what if Redis is down" tests.

- `closed_port()`: a port on 127.0.0.1 with nothing listening (connections are refused at once).
- `silent_server()`: a server that accepts every connection, reads what it is sent and never answers (a hung
  Redis: the connection succeeds, every command waits). It counts the connections it took.
"""

import socket
import threading
from contextlib import contextmanager


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SilentServer:
    def __init__(self):
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)  # held open, never read from or written to: the client waits for an answer

    def __enter__(self) -> "SilentServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self._listener.close()


@contextmanager
def silent_server():
    with SilentServer() as server:
        yield server
