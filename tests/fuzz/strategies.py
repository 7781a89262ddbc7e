"""What the fuzz suite sends: anything JSON can carry, leaning on the values that broke intake before."""

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

EDGE_DATES = [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "3000-01-01",
    "2026-02-30",
    "2026-05-15T17:00:00Z",
    "2026-05-15",
    "2026-05-15T25:00:00Z",
    "20260515",
    "",
]
ODD_TEXT = ["", " ", "\x00", "nul \x00 inside", "lone \ud800 surrogate", "x" * 600, "é" * 300, "<script>", "1e400"]
ODD_NUMBERS = [0, -1, 1.5, 2**31, 2**63, 10**30, -(10**30), 1e308, -0.0]


def _offset() -> st.SearchStrategy:
    return st.integers(min_value=-23 * 60, max_value=23 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def dates() -> st.SearchStrategy:
    """Date and date-time strings: edge cases, and any instant from year 1 to 9999 in any UTC offset."""
    instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_offset())
    return st.one_of(
        st.sampled_from(EDGE_DATES),
        instants.map(lambda d: d.isoformat()),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    )


def leaves() -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(ODD_NUMBERS),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=40),
        st.sampled_from(ODD_TEXT),
        dates(),
    )


def json_values() -> st.SearchStrategy:
    """Any JSON value, a few levels deep."""
    return st.recursive(
        leaves(),
        lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6),
        max_leaves=25,
    )


def mutated(valid: dict) -> st.SearchStrategy:
    """`valid` with each key kept, dropped or replaced by anything; nested objects mutated the same way."""

    @st.composite
    def build(draw):
        body = {}
        for key, value in valid.items():
            choice = draw(st.sampled_from(["keep", "keep", "drop", "replace", "mutate"]))
            if choice == "keep":
                body[key] = value
            elif choice == "replace":
                body[key] = draw(json_values())
            elif choice == "mutate":
                body[key] = draw(mutated(value)) if isinstance(value, dict) else draw(leaves())
        if draw(st.booleans()):
            body.update(draw(st.dictionaries(st.text(max_size=12), json_values(), max_size=3)))
        return body

    return build()


def raw_bodies(valid: dict) -> st.SearchStrategy:
    """Bytes a sender might put on the wire: mutated JSON, a top level that is not an object, or not JSON."""
    return st.one_of(
        mutated(valid).map(lambda body: json.dumps(body).encode()),
        mutated(valid).map(lambda body: json.dumps(body).encode()),
        json_values().map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=200),
        st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.sampled_from([b"", b"{", b'{"title": NaN}', b'{"title": Infinity}', b"\xff\xfe", b"1" * 5000]),
    )


def query_values() -> st.SearchStrategy:
    """Text for a URL: anything but lone surrogates, which no client can percent-encode."""
    odd = [text for text in ODD_TEXT if "\ud800" not in text]
    return st.one_of(st.text(max_size=60), st.sampled_from(odd), dates(), st.integers().map(str))
