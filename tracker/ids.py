MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A database id from untrusted text (a URL part, a form or JSON value), or None when it is not one.

    Only ASCII digits count: `str.isdigit()` alone accepts characters such as "¹" that `int()` refuses.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
