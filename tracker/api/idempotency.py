"""`Idempotency-Key` on the external API's POSTs (Stripe's idempotency keys, the IETF Idempotency-Key draft).

Order of checks: authentication, scope, rate limit (DRF's `initial`), then the key, so a 401, 403 or 429 is
never stored. The first request with a key commits a claim, then runs its work and stores its response in
one transaction; a replay answers the stored status and body with `Idempotent-Replayed: true`. A 5xx
releases the claim so that a retry runs again.
"""

import re

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.errors import ApplicationError

from .errors import PayloadTooLarge, api_max_body_bytes
from .services import (
    IdempotencyClaim,
    idempotency_claim,
    idempotency_complete,
    idempotency_fingerprint,
    idempotency_release,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
_PRINTABLE = re.compile(r"^[\x20-\x7e]+$")


class InvalidIdempotencyKey(ApplicationError):
    status_code = 400


def parse_idempotency_key(raw: str | None) -> str | None:
    """The key from the header's value: a bare token or a structured-field string ("..."). None when absent."""
    if raw is None:
        return None
    value = raw.strip()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    if not value or len(value) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters")
    if not _PRINTABLE.match(value):
        raise InvalidIdempotencyKey(f"{HEADER} may only contain printable ASCII characters")
    return value


class IdempotentAPIView(APIView):
    """An APIView whose POSTs honour `Idempotency-Key`. Other methods run as usual."""

    idempotent_methods = ("POST",)

    def _claim(self, request) -> IdempotencyClaim | None:
        if request.method not in self.idempotent_methods:
            return None
        key = parse_idempotency_key(request.headers.get(HEADER))
        if key is None:
            return None
        # A body too large to run is refused before it claims the key, so a 413 is never stored for replay.
        limit = api_max_body_bytes()
        try:
            # Read before DRF parses the body: the fingerprint is of the raw bytes as sent.
            body = request._request.body
        except RequestDataTooBig as error:
            raise PayloadTooLarge(limit) from error
        if len(body) > limit:
            raise PayloadTooLarge(limit)
        fingerprint = idempotency_fingerprint(method=request.method, path=request.path, body=body)
        return idempotency_claim(
            api_key=request.auth, key=key, method=request.method, path=request.path, fingerprint=fingerprint
        )

    def dispatch(self, request, *args, **kwargs):
        # DRF's APIView.dispatch, with the idempotency claim between `initial` and the handler.
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        record = None
        try:
            self.initial(request, *args, **kwargs)
            claim = self._claim(request)
            if claim is not None and claim.replay:
                response = Response(
                    claim.record.response_body,
                    status=claim.record.response_status,
                    headers={REPLAYED_HEADER: "true"},
                )
            else:
                method = request.method.lower()
                handler = getattr(self, method, None) if method in self.http_method_names else None
                handler = handler or self.http_method_not_allowed
                if claim is None:
                    response = handler(request, *args, **kwargs)
                else:
                    record = claim.record
                    # The work and its stored response commit together: a replay never misses a write.
                    with transaction.atomic():
                        response = handler(request, *args, **kwargs)
                        stored = response.status_code < 500
                        if stored:
                            idempotency_complete(record=record, status=response.status_code, body=response.data)
                    if stored:
                        record = None
        except Exception as exc:
            response = self.handle_exception(exc)
        if record is not None:
            # The handler refused (4xx: its writes rolled back) or failed (5xx).
            if response.status_code >= 500:
                idempotency_release(record=record)
            else:
                idempotency_complete(record=record, status=response.status_code, body=response.data)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response
