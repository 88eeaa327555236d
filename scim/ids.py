"""Resource ids: ASCII digits that fit the id column, nothing else.

`str.isdigit()` is true for "²" and for Arabic-Indic "١", and `int("١")` is 1: an id in
another script resolved to user 1, and "²" or 23 digits ended in a 500. Here an id that is
not plain ASCII digits within a bigint names no resource.
"""

from typing import Any

MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """The id `value` names (a string, or a JSON integer), or None when it names none."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None
