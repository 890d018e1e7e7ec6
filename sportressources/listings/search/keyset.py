"""Cursors of result pages: the last row's sort key and sequence, never an OFFSET."""

from __future__ import annotations

import re


def parse_cursor(sort: str, cursor: str) -> tuple | None:
    """The key in a cursor for this sort order, or None if it is not one."""
    if not cursor or len(cursor) > 60 or not _CURSOR.match(cursor):
        return None
    parts = cursor.split("_")
    try:
        if sort == "newest" and len(parts) == 1:
            return (int(parts[0]),)
        if sort == "cheapest" and len(parts) == 2:
            return (int(parts[0]), int(parts[1]))
        if sort == "nearest" and len(parts) == 2:
            distance = float(parts[0])
            if distance != distance or distance < 0 or distance > 40_000:
                return None
            return (distance, int(parts[1]))
    except ValueError:
        return None
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
