import pytest

from tracker.ids import parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (42, 42),
        ("¹", None),  # str.isdigit() says yes; int() refuses it
        ("٣", None),  # Arabic-Indic digit
        ("0", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        (True, None),
        (None, None),
        (3.0, None),
        (str(2**63), None),
        (str(2**63 - 1), 2**63 - 1),
    ],
)
def test_parse_id_accepts_only_ascii_database_ids(value, expected):
    assert parse_id(value) == expected
