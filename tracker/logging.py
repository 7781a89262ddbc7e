"""Structured logs: one JSON object per line in production, plain text in development, and a request id in every
line of a request and of the Celery tasks it queued.

- `RequestIdMiddleware` takes the caller's `X-Request-ID` when it is a sane token (else makes one), keeps it in a
  context variable for the request and echoes it on the response.
- `tracker.celery` copies the variable into every task message it publishes (a message header) and back into the
  context variable while the worker runs that task, so the task's lines carry the id of the request that queued it.
- `RequestContextFilter` (on the handler) stamps `request_id` and `task_id` on every record; `RedactSecretsFilter`
  replaces the value of any `extra` key that names a secret. The message itself is the dotted event name
  (`inbound.webhook_answered`); what happened is in `extra`, never formatted into the message.

The settings' LOGGING picks the formatter: LOG_FORMAT=json|plain, json unless DEBUG is on.
"""

import logging
import re
import secrets
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or an upstream system may hand us: a UUID, a hex or base64url token, a load balancer's trace id.
# Anything longer or with other characters (spaces, quotes, newlines that would forge log lines) is replaced.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:=+/-]{7,127}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)

REDACTED = "[redacted]"
# `extra` keys whose values are never written, whatever logs them: secrets, keys, signatures, credentials.
_SECRET_KEY = re.compile(
    r"secret|password|passphrase|token|signature|authorization|api[_-]?key|private[_-]?key|cookie|credential",
    re.IGNORECASE,
)
# ... but an id or a key's public prefix (`api_key_id`, `key_prefix`) names a row, not a secret.
_NOT_SECRET_SUFFIXES = ("_id", "_ids", "_prefix")


def is_secret_key(key) -> bool:
    key = str(key)
    return bool(_SECRET_KEY.search(key)) and not key.lower().endswith(_NOT_SECRET_SUFFIXES)


# Attributes every LogRecord has: never treated as `extra`.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "task_id"}


def new_request_id() -> str:
    return secrets.token_hex(16)


def request_id_from_header(value: str | None) -> str:
    """The caller's request id when it is a sane token, else a new one."""
    value = (value or "").strip()
    return value if _SANE_REQUEST_ID.match(value) else new_request_id()


class RequestIdMiddleware:
    """First in MIDDLEWARE, so even a redirect or an early refusal carries the id, in the log and on the answer.

    The id stays set until the response is closed (`request_finished`), not only while the middleware runs:
    Django logs a 4xx or 5xx answer (`django.request`) after the middleware chain has returned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def clear_request_id(**kwargs) -> None:
    """`request_finished`: the next line this thread writes belongs to no request until another one starts."""
    request_id_var.set(None)


class RequestContextFilter(logging.Filter):
    """Stamps the current request id and task id on every record (or "-": a plain format always has them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        record.task_id = task_id_var.get() or "-"
        return True


def _redact(value, depth: int = 0):
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_key(k) else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(item, depth + 1) for item in value]
    return value


class RedactSecretsFilter(logging.Filter):
    """Replaces the value of every `extra` key that names a secret (and such keys inside dict values, such as a
    headers dict). A guard rail: code should not pass secrets to the log in the first place."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in list(record.__dict__.items()):
            if key in _RECORD_ATTRIBUTES:
                continue
            if is_secret_key(key):
                setattr(record, key, REDACTED)
            elif isinstance(value, dict | list | tuple):
                setattr(record, key, _redact(value))
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, the event name as `message`, the ids, then the extras."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_default", str)
        super().__init__(*args, **kwargs)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(task_id)s] %(message)s"


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING dict: one console handler with both filters, JSON or plain."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_context": {"()": "tracker.logging.RequestContextFilter"},
            "redact_secrets": {"()": "tracker.logging.RedactSecretsFilter"},
        },
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": "tracker.logging.JsonLineFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": ["request_context", "redact_secrets"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


# --- Celery: the request id travels in a message header ------------------------------------------------------
HEADER = "tracker_request_id"


def celery_before_task_publish(headers=None, **kwargs) -> None:
    """Celery `before_task_publish`: put the current request id (a web request's, or the running task's) on the
    message, so the task it queues logs under the same id."""
    request_id = request_id_var.get()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


_task_tokens: dict = {}


def celery_task_prerun(task_id=None, task=None, **kwargs) -> None:
    """Celery `task_prerun`: the task's lines carry its own id and the request id its message brought. An eager
    task (run in-process, no message) keeps the request id of the code that called it."""
    request = getattr(task, "request", None)
    request_id = getattr(request, HEADER, None) or (request.get(HEADER) if hasattr(request, "get") else None)
    tokens = [task_id_var.set(task_id)]
    if request_id:
        tokens.append(request_id_var.set(request_id))
    _task_tokens[task_id] = tokens


def celery_task_postrun(task_id=None, **kwargs) -> None:
    for token in reversed(_task_tokens.pop(task_id, [])):
        token.var.reset(token)
