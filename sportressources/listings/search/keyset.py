"""Cursors of result pages: the last row's sort key and sequence, never an OFFSET."""

from __future__ import annotations

import re

from sportressources.core.params import parse_int


def parse_cursor(sort: str, cursor: str) -> tuple | None:
    """The key in a cursor for this sort order, or None if it is not one."""
    if not cursor or len(cursor) > 60 or not _CURSOR.match(cursor):
        return None
    parts = cursor.split("_")
    # Integers an INTEGER column holds, or the query fails; None if any part is not one.
    numbers = [parse_int(part, minimum=0) for part in parts]
    if sort == "newest" and len(parts) == 1:
        return (numbers[0],) if numbers[0] is not None else None
    if sort == "cheapest" and len(parts) == 2:
        return tuple(numbers) if None not in numbers else None
    if sort == "nearest" and len(parts) == 2 and numbers[1] is not None:
        try:
            distance = float(parts[0])
        except ValueError:
            return None
        if distance != distance or distance < 0 or distance > 40_000:
            return None
        return (distance, numbers[1])
    return None


def _make_cursor(sort: str, row) -> str:
    if sort == "newest":
        return str(row.seq)
    if sort == "cheapest":
        return f"{row.price_cents}_{row.seq}"
    return f"{float(row.distance_km)!r}_{row.seq}"


# Above every seq: the largest integer of PostgreSQL's serial column, which seq never reaches
_SEQ_LIMIT = 2**31 - 1


_CURSOR = re.compile(r"^[0-9eE.+-]{1,40}(_[0-9]{1,12})?$")
