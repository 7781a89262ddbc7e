"""The one JSON reader of the project's APIs (DEFAULT_PARSER_CLASSES) and webhooks (`parse_json`).

Its limits are checked before any work that grows with the input: the body's size (413 before it is parsed),
then the nesting depth (MAX_JSON_NESTING, counted on the raw text before the decoder builds anything). `NaN` and
`Infinity` are not JSON and are refused too.
"""

import json
import re
from itertools import accumulate

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import PayloadTooLarge, api_max_body_bytes

# No payload of ours nests deeper than this (pass-through objects stop at 32 levels, inside a wrapper or two).
MAX_JSON_NESTING = 64


class InvalidJSON(ValueError):
    """The body is not JSON we read: not JSON at all, a NaN/Infinity literal, or nested too deeply."""


def _reject_constant(name: str):
    raise InvalidJSON(f"{name} is not JSON")


# JSON strings (whose brackets are text, not structure); the bytes that are not brackets; how each bracket steps.
_STRINGS = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_nesting(text: bytes | str) -> int:
    """How deep the arrays and objects of JSON text nest, counted on the text itself: strip the strings and all
    but the brackets (regular expression and `bytes.translate`), then a running sum in C (`accumulate`). A
    megabyte costs well under 200 ms at worst (a megabyte of nothing but brackets), nothing is built and nothing
    recursed into. Not JSON at all gives a meaningless number, and the decoder refuses it anyway."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    brackets = _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def parse_json(body: bytes | str):
    """Decode a request body, or raise InvalidJSON."""
    if json_nesting(body) > MAX_JSON_NESTING:
        raise InvalidJSON(f"JSON nested deeper than {MAX_JSON_NESTING} levels")
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidJSON("invalid JSON body") from error


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
