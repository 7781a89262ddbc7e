"""Optumus Analytics' request signature (seed 004, "Signature verification").

    X-Optumus-Timestamp: <unix milliseconds>
    X-Optumus-Signature: sha256=<lowercase hex of HMAC-SHA256(secret, "<timestamp>.<raw body>")>

The signed message is built from bytes (the timestamp's ASCII digits, a dot, the body exactly as received), so a
body re-encoded on the way in, or any non-ASCII text in it, cannot change what is checked. A signature is good
within a window around our clock: at most five minutes old (the seed's replay protection) and at most one minute
ahead (clock skew). A replay inside the window is the same body, which the adapter's dedupe answers "duplicate".
"""

import hashlib
import hmac
import re
import time

PREFIX = "sha256="
MAX_AGE_MS = 5 * 60 * 1000
MAX_AHEAD_MS = 60 * 1000

_TIMESTAMP = re.compile(r"[0-9]{1,16}")


class SignatureRefused(ValueError):
    """Why a request's signature headers were refused; the message is the 401's `error`."""


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """The header value Optumus sends for `body` signed at `timestamp` (unix ms, as text)."""
    message = timestamp.encode("ascii") + b"." + body
    return PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def parse_timestamp(header: str) -> int:
    """The timestamp header as unix ms: digits only (no sign, no decimals, no seconds-with-fraction)."""
    if not _TIMESTAMP.fullmatch(header):
        raise SignatureRefused("invalid timestamp header: unix milliseconds expected")
    return int(header)


def check_window(timestamp_ms: int, *, now: int | None = None) -> None:
    now = now_ms() if now is None else now
    if now - timestamp_ms > MAX_AGE_MS or timestamp_ms - now > MAX_AHEAD_MS:
        raise SignatureRefused("timestamp outside the allowed window")


def signature_matches(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Compare in constant time. The `sha256=` prefix is optional and the hex case-insensitive, as in the
    seed's Node verifier (which strips the prefix and decodes the hex)."""
    provided = header.strip()
    if provided[: len(PREFIX)].lower() == PREFIX:
        provided = provided[len(PREFIX) :]
    expected = signature_for(secret, timestamp, body)[len(PREFIX) :]
    return hmac.compare_digest(expected.encode(), provided.lower().encode("utf-8", "backslashreplace"))
