"""The one JSON reader of the project's APIs (DEFAULT_PARSER_CLASSES) and webhooks (`parse_json`).

Its limits are checked before any work that grows with the input: the body's size (413 before it is parsed),
then the nesting depth (the decoder's own recursion limit, then MAX_JSON_NESTING on what it built). `NaN` and
`Infinity` are not JSON and are refused too.
"""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import PayloadTooLarge, api_max_body_bytes

# No payload of ours nests deeper than this (pass-through objects stop at 32 levels, inside a wrapper or two).
MAX_JSON_NESTING = 64


class InvalidJSON(ValueError):
    """The body is not JSON we read: not JSON at all, a NaN/Infinity literal, or nested too deeply."""


def _reject_constant(name: str):
    raise InvalidJSON(f"{name} is not JSON")


def nesting_depth_exceeds(data, limit: int) -> bool:
    """Whether `data` nests more than `limit` arrays/objects deep. Iterative, and stops at the first too deep."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            if depth > limit:
                return True
            pending.extend((item, depth + 1) for item in value.values() if isinstance(item, dict | list))
        elif isinstance(value, list):
            if depth > limit:
                return True
            pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def parse_json(body: bytes | str):
    """Decode a request body, or raise InvalidJSON."""
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidJSON("invalid JSON body") from error
    if nesting_depth_exceeds(data, MAX_JSON_NESTING):
        raise InvalidJSON(f"JSON nested deeper than {MAX_JSON_NESTING} levels")
    return data


class JSONBodyParser(JSONParser):
    """DRF's JSON parser with the project's limits: a body over `api_max_body_bytes()` is a 413 (Django itself
    refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE before reading them; see `tracker.api.errors`), and a body
    `parse_json` refuses is a 400 `invalid JSON body`."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = api_max_body_bytes()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(limit)
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError("invalid JSON body") from error
        try:
            return parse_json(text)
        except InvalidJSON as error:
            raise ParseError(str(error)) from error
