"""HMAC-SHA256 request signing: `<Header>: sha256=<lowercase hex of HMAC-SHA256(secret, raw body bytes)>`."""

import hashlib
import hmac

PREFIX = "sha256="


def signature_for(secret: str, body: bytes) -> str:
    """The header value a sender computes for `body` (what the guide's signing examples produce)."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header_value: str) -> bool:
    """Compare in constant time, over the exact bytes received: a body re-serialised after signing fails."""
    provided = header_value.strip()
    if provided[: len(PREFIX)].lower() == PREFIX:
        provided = PREFIX + provided[len(PREFIX) :].lower()
    return hmac.compare_digest(signature_for(secret, body).encode(), provided.encode("utf-8", "backslashreplace"))
