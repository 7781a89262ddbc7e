"""The HTTP client of outbound webhooks: one POST, to the address that passed the URL rules, and what came back.

The name is resolved once (`addresses.resolve_target`), every address checked, and the TCP connection opened to
that checked address; the URL's name still goes in the `Host` header and, for https, in TLS SNI and the
certificate check. No proxy from the environment is used, no redirect is followed (a 3xx is an answer like any
other, and the delivery counts it as a failure), and the whole request — connect, send, wait, read — is cut off
at OUTBOUND_WEBHOOK_TIMEOUT_SECONDS however slowly the other side drips bytes. Only the first 4 KB of the answer
are read.

`tls_context()` is the seam that decides which certificates are trusted (the system's); tests give it their own
test authority.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from .addresses import AddressRefused, Target, check_url

RESPONSE_LIMIT = 4096
HEADER_LIMIT = 40


@dataclass
class Answer:
    """What one request got: a status and the start of the body, or an error in words."""

    address: str = ""
    status_code: int | None = None
    headers: dict = field(default_factory=dict)
    body: str = ""
    error: str = ""
    duration_ms: int = 0
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def tls_context() -> ssl.SSLContext:
    """Certificate verification against the system's trust store (the seam tests replace)."""
    return ssl.create_default_context()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address whatever the name would resolve to now."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS to the checked address: SNI and the certificate check use the URL's name."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=tls_context())
        self._address = address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


class _Deadline:
    """Cuts the connection when the time is up, wherever the request is blocked."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float):
        self.connection = connection
        self.expired = False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.connection.sock
        if sock is not None:
            # The plain socket's shutdown, also under TLS: it wakes a blocked read without touching SSL state.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self):
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.cancel()
        return False


def post(url: str, *, body: bytes, headers: dict, timeout: float) -> Answer:
    """POST `body` to `url` once. Never raises for anything the network or the other side does."""
    started = time.monotonic()
    answer = Answer()
    try:
        target, answer.address = check_url(url)
    except AddressRefused as error:
        answer.error, answer.refused = f"refused: {error.message}", True
        return answer
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, answer.address, timeout)
    deadline = _Deadline(connection, timeout)
    try:
        with deadline:
            connection.request("POST", target.path, body=body, headers={**headers, "Host": target.host_header})
            response = connection.getresponse()
            answer.status_code = response.status
            answer.headers = dict(response.getheaders()[:HEADER_LIMIT])
            answer.body = response.read(RESPONSE_LIMIT).decode("utf-8", errors="replace")
    except ssl.SSLCertVerificationError as error:
        answer.error = f"TLS certificate not accepted: {error.verify_message or error.reason}"
    except TimeoutError:
        answer.error = f"timed out after {timeout:g} s"
    except (OSError, http.client.HTTPException) as error:
        answer.error = (
            f"timed out after {timeout:g} s"
            if deadline.expired
            else f"{error.__class__.__name__}: {error}".strip().rstrip(":")[:500]
        )
    finally:
        connection.close()
        answer.duration_ms = int((time.monotonic() - started) * 1000)
    if deadline.expired and answer.status_code is not None and not answer.error:
        answer.error = f"timed out after {timeout:g} s while reading the answer"
    return answer
