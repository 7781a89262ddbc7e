"""The one domain error type. Services raise it; the API exception handler and page views render it."""


class ApplicationError(Exception):
    """A refusal the user can act on: bad input, a rule that does not allow the change.

    `status_code` is the HTTP status an API answers with; `extra` is merged into the JSON error body.
    """

    status_code = 400

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    status_code = 404


class ConflictError(ApplicationError):
    """The request is valid but the current state does not allow it (invalid transition, duplicate key)."""

    status_code = 409


class PermissionDeniedError(ApplicationError):
    status_code = 403
