"""Cursor (keyset) pagination for the external API: newest change first, `(-updated_at, -id)`.

The cursor is an opaque token naming the last row of the page. A page is a `WHERE (updated_at, id) < cursor`
query, so it stays correct and cheap however deep the client goes, and rows inserted meanwhile neither shift
nor repeat the pages already read. A row changed while a client pages moves to the front: an incremental
sync catches it on its next run with `updatedSince`.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from rest_framework import exceptions

from tracker.ids import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The `(updated_at, id)` a cursor names. Anything else, however crafted, is 400 `invalid cursor`: only an
    aware ISO-8601 time and a whole number that is a possible id (a JSON `1e400` decodes to infinity)."""
    invalid = exceptions.ValidationError({"cursor": ["invalid cursor"]})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        updated_at, pk = json.loads(raw)
        if not isinstance(updated_at, str) or type(pk) is not int or not 0 < pk <= MAX_ID:
            raise invalid
        updated = datetime.fromisoformat(updated_at)
        if updated.tzinfo is None:
            raise invalid
        # In UTC now, so no later conversion (by the database driver) can overflow at the ends of time.
        return updated.astimezone(UTC), pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError, RecursionError):
        raise invalid from None


def parse_limit(value: str | None) -> int:
    """A `limit` query parameter: DEFAULT_LIMIT when absent, else a whole number from 1 to MAX_LIMIT (400 else)."""
    if value in (None, ""):
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise exceptions.ValidationError({"limit": [f"must be a whole number from 1 to {MAX_LIMIT}"]})
    return int(value)


def paginate(queryset: QuerySet, *, cursor: str | None, limit: int, field: str = "updated_at") -> Page:
    """One page of `queryset` in `(-field, -id)` order, after `cursor`. Runs one query. `field` is the row's
    timestamp to page on: `updated_at` for what changes, `created_at` for what is only ever appended."""
    queryset = queryset.order_by(f"-{field}", "-id")
    if cursor:
        at, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "id__lt": pk}))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Page(rows=rows, next_cursor=None)
    rows = rows[:limit]
    return Page(rows=rows, next_cursor=encode_cursor(getattr(rows[-1], field), rows[-1].pk))
