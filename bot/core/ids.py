"""Numbers people and buttons send: strict ASCII decimals in a database-safe range.

`"²".isdigit()` is True and `int("²")` raises; 2**63 overflows a PostgreSQL integer. Every
id read from a button, a command or a reply goes through `strict_id`.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1
_DECIMAL = re.compile(r"[0-9]{1,10}")


def strict_id(value: object) -> int | None:
    """`value` as a positive id (1 .. 2**31-1), or None if it is anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def strict_index(value: object) -> int | None:
    """`value` as a list index (0 .. 2**31-1), or None."""
    if isinstance(value, str) and value.strip() == "0":
        return 0
    return strict_id(value)
