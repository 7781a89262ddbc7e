"""The one HTTP client for addresses that come from outside: outbound webhooks `post()` to an endpoint a user
typed, upstream adapters `fetch()` a file an upstream system points at.

The name is resolved once (`addresses.resolve_target`), every address checked, and the TCP connection opened to
that checked address; the URL's name still goes in the `Host` header and, for https, in TLS SNI and the
certificate check. No proxy from the environment is used, and the whole request — connect, send, wait, read — is
cut off at the caller's timeout however slowly the other side drips bytes.

- `post()` follows no redirect (a 3xx is an answer like any other, and the delivery counts it as a failure) and
  reads only the first 4 KB of the answer.
- `fetch()` GETs a file into a temporary file, refusing one larger than `max_bytes` (by its Content-Length, and
  again while streaming, so a lying header changes nothing). It follows at most MAX_REDIRECTS redirects, because
  file links (CMP's among them) commonly answer with a redirect to a signed storage URL; each hop is a new URL
  that passes every rule again, the lookup included, before anything connects to it.

`tls_context()` is the seam that decides which certificates are trusted (the system's); tests give it their own
test authority.
"""

import contextlib
import hashlib
import http.client
import re
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urljoin, urlsplit

from .addresses import AddressRefused, Target, check_url

RESPONSE_LIMIT = 4096
HEADER_LIMIT = 40
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
# Answers worth asking again later; any other 4xx will not change by waiting.
RETRYABLE_STATUSES = (404, 408, 425, 429)


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


def _connection(target: Target, address: str, timeout: float) -> http.client.HTTPConnection:
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return connection_class(target, address, timeout)


def post(url: str, *, body: bytes, headers: dict, timeout: float) -> Answer:
    """POST `body` to `url` once. Never raises for anything the network or the other side does."""
    started = time.monotonic()
    answer = Answer()
    try:
        target, answer.address = check_url(url)
    except AddressRefused as error:
        answer.error, answer.refused = f"refused: {error.message}", True
        return answer
    connection = _connection(target, answer.address, timeout)
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


class FetchFailed(Exception):
    """A fetch that produced no file. `retryable` says whether asking again later may succeed (the network, a
    5xx, a timeout) or not (a refused address, a file over the limit, a 4xx such as 403)."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass
class Fetched:
    """A fetched file: `file` is an anonymous temporary file at position 0, deleted when closed (`with fetched:`)."""

    file: BinaryIO
    size: int
    sha256: str
    name: str
    content_type: str
    url: str

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()
        return False


_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def _file_name(url: str, disposition: str) -> str:
    """The name the server gives the file (Content-Disposition), else the last segment of the URL's path."""
    match = _FILENAME.search(disposition or "")
    raw = match.group(1) if match else PurePosixPath(urlsplit(url).path).name
    return PurePosixPath(unquote(raw).replace("\\", "/")).name.strip()[:255]


def _stream(response, *, url: str, max_bytes: int) -> Fetched:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(f"the file is {int(declared):,} bytes; the limit is {max_bytes:,} bytes", retryable=False)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller inside Fetched
    digest, size = hashlib.sha256(), 0
    try:
        while chunk := response.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(f"the file is larger than the limit of {max_bytes:,} bytes", retryable=False)
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    content_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    name = _file_name(url, response.getheader("Content-Disposition") or "")
    return Fetched(file=spool, size=size, sha256=digest.hexdigest(), name=name, content_type=content_type, url=url)


def _fetch_once(url: str, *, max_bytes: int, timeout: float) -> Fetched | str:
    """One GET: the file, or the redirect's absolute target. Raises FetchFailed."""
    try:
        target, address = check_url(url)
    except AddressRefused as error:
        raise FetchFailed(f"refused: {error.message}", retryable=False) from error
    connection = _connection(target, address, timeout)
    deadline = _Deadline(connection, timeout)
    try:
        with deadline:
            connection.request("GET", target.path, headers={"Host": target.host_header, "Accept": "*/*"})
            response = connection.getresponse()
            if response.status in REDIRECTS and response.getheader("Location"):
                return urljoin(url, response.getheader("Location"))
            if not 200 <= response.status < 300:
                retryable = response.status >= 500 or response.status in RETRYABLE_STATUSES
                raise FetchFailed(f"the server answered {response.status}", retryable=retryable)
            fetched = _stream(response, url=url, max_bytes=max_bytes)
    except ssl.SSLCertVerificationError as error:
        raise FetchFailed(
            f"TLS certificate not accepted: {error.verify_message or error.reason}", retryable=False
        ) from error
    except (OSError, http.client.HTTPException) as error:
        message = f"{error.__class__.__name__}: {error}".strip().rstrip(":")[:500]
        raise FetchFailed(
            f"timed out after {timeout:g} s" if deadline.expired or isinstance(error, TimeoutError) else message,
            retryable=True,
        ) from error
    finally:
        connection.close()
    if deadline.expired:  # the body ended because the deadline cut the connection, not because it was whole
        fetched.file.close()
        raise FetchFailed(f"timed out after {timeout:g} s while reading the file", retryable=True)
    return fetched


def fetch(url: str, *, max_bytes: int, timeout: float, max_redirects: int = MAX_REDIRECTS) -> Fetched:
    """GET the file at `url` into a temporary file. `timeout` bounds each hop's whole request (connect to the
    last byte). Raises FetchFailed; never returns a partial file."""
    for _hop in range(max_redirects + 1):
        result = _fetch_once(url, max_bytes=max_bytes, timeout=timeout)
        if isinstance(result, Fetched):
            return result
        url = result
    raise FetchFailed(f"more than {max_redirects} redirects", retryable=False)
