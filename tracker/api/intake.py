"""The intake APIs' "upsert failed" answer (Upstream Integration Guide): our side broke while writing."""

import logging

from tracker.errors import ApplicationError

logger = logging.getLogger(__name__)

MAX_DETAIL_LENGTH = 1000


class UpsertFailed(ApplicationError):
    """`{"error": "upsert failed", "detail": "..."}` with a 500."""

    status_code = 500

    def __init__(self, error: Exception):
        detail = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        super().__init__("upsert failed", {"detail": detail[:MAX_DETAIL_LENGTH]})


def run_upsert(call, **kwargs):
    """Run an intake service. A refusal it raises (ApplicationError: 409, 404 ...) passes through; anything
    else is logged with its traceback and answered as "upsert failed", the transaction rolled back."""
    try:
        return call(**kwargs)
    except ApplicationError:
        raise
    except Exception as error:
        logger.exception("intake.upsert_failed", extra={"service": getattr(call, "__name__", repr(call))})
        raise UpsertFailed(error) from error
