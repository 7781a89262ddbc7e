"""Secrets, signatures and the headers of every request (docs/WEBHOOKS.md shows receivers how to verify them).

Standard Webhooks (what the `standardwebhooks` libraries verify):
    webhook-id: msg_...            the delivery's id, the same on every attempt and resend
    webhook-timestamp: 1767225600  unix seconds
    webhook-signature: v1,<base64 of HMAC-SHA256(base64-decoded secret, "<id>.<timestamp>.<body>")>

Seed 004's style, for receivers written against Optumus' verifier:
    X-Tracker-Timestamp: 1767225600123                 unix milliseconds, the same instant
    X-Tracker-Signature: sha256=<hex of HMAC-SHA256(secret as written, "<timestamp ms>.<body>")>

During a secret rotation both secrets sign: `webhook-signature` lists both (space-separated, the spec's form) and
`X-Tracker-Signature` both (comma-separated), the new secret's first.
"""

import base64
import hashlib
import hmac
import secrets as random_secrets
from datetime import datetime

SECRET_PREFIX = "whsec_"
USER_AGENT = "StudioTracker-Webhooks/1.0 (+docs/WEBHOOKS.md)"
REDACTED = "<redacted>"
SIGNATURE_HEADERS = ("webhook-signature", "X-Tracker-Signature")


def secret_generate() -> str:
    """A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(random_secrets.token_bytes(32)).decode("ascii")


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def standard_signature(*, secret: str, message_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def tracker_signature(*, secret: str, timestamp_ms: int, body: str) -> str:
    """Seed 004's signature: the key is the secret string exactly as shown (`whsec_...`), as its Node snippet
    passes it to `createHmac`."""
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp_ms}.{body}".encode(), hashlib.sha256).hexdigest()


def request_headers(*, secrets: list[str], message_id: str, event_name: str, body: str, now: datetime) -> dict:
    """The headers of one attempt, signed with each of `secrets` (the current secret first)."""
    timestamp = int(now.timestamp())
    timestamp_ms = timestamp * 1000 + now.microsecond // 1000
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(secret=s, message_id=message_id, timestamp=timestamp, body=body) for s in secrets
        ),
        "X-Tracker-Event": event_name,
        "X-Tracker-Timestamp": str(timestamp_ms),
        "X-Tracker-Signature": ",".join(
            tracker_signature(secret=s, timestamp_ms=timestamp_ms, body=body) for s in secrets
        ),
    }


def redact(headers: dict) -> dict:
    """The headers as the delivery log keeps them: each signature replaced, its scheme kept (`v1,<redacted>`)."""
    shown = dict(headers)
    for name in SIGNATURE_HEADERS:
        if name in shown:
            separator = " " if name == "webhook-signature" else ","
            schemes = [part.split("," if separator == " " else "=", 1)[0] for part in shown[name].split(separator)]
            joiner = "," if separator == " " else "="
            shown[name] = separator.join(f"{scheme}{joiner}{REDACTED}" for scheme in schemes)
    return shown
