"""The intake APIs' "upsert failed" answer (Upstream Integration Guide): our side broke while writing.

The caller gets `{"error": "upsert failed", "detail": "reference <id>"}`: a reference to quote when reporting
it, never the exception itself (an exception's class, a constraint's or a table's name tell an outsider how we
are built and nothing they can act on). The log line and the webhook receipt carry the reference with the
exception's class and message, so the reference finds the detail. A refusal written for people
(ApplicationError) is the detail as it stands.
"""

import logging
import secrets

from tracker.errors import ApplicationError

logger = logging.getLogger(__name__)

MAX_DETAIL_LENGTH = 1000


class UpsertFailed(ApplicationError):
    """`{"error": "upsert failed", "detail": "..."}` with a 500. `internal_detail` is for the receipt and the log."""

    status_code = 500

    def __init__(self, error: Exception):
        self.reference = secrets.token_hex(6)
        if isinstance(error, ApplicationError):
            detail = error.message[:MAX_DETAIL_LENGTH]
            self.internal_detail = detail
        else:
            detail = f"reference {self.reference}"
            self.internal_detail = f"reference {self.reference}: {type(error).__name__}: {error}"[:MAX_DETAIL_LENGTH]
        super().__init__("upsert failed", {"detail": detail})


def upsert_failed(error: Exception, **context) -> UpsertFailed:
    """Log `error` (with its traceback, under the reference the caller will quote) and return the answer."""
    failure = UpsertFailed(error)
    logger.error(
        "intake.upsert_failed",
        exc_info=error,
        extra={**context, "reference": failure.reference, "detail": failure.internal_detail},
    )
    return failure


def run_upsert(call, **kwargs):
    """Run an intake service. A refusal it raises (ApplicationError: 409, 404 ...) passes through; anything
    else is logged with its traceback and answered as "upsert failed", the transaction rolled back."""
    try:
        return call(**kwargs)
    except ApplicationError:
        raise
    except Exception as error:
        raise upsert_failed(error, service=getattr(call, "__name__", repr(call))) from error
