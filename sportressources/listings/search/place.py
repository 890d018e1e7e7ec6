"""« Nearest first »: the positions near a place read in growing rings until one holds a page,
then at most a page of listings from each, newest first."""

from __future__ import annotations

import math

from sqlalchemy import (
    Select,
    Table,
    case,
    func,
    select,
    true,
)

from sportressources.geo.distance import bounding_box
from sportressources.listings.search.index import listing_positions
from sportressources.listings.search.keyset import _SEQ_LIMIT
from sportressources.listings.search.plan import (
    _distance_from,
    _execute,
    _hit,
    _overlaps,
    _Query,
    _s,
    search_position_rtree,
)

# « Nearest first » first reads the positions in a ring just beyond the cursor (a disc around the
# place on a first page) with the area of a disc of this radius, then rings at least four times
# larger until one holds a full page; past the last one, the chosen radius (or no limit). Small:
# with a million listings, hundreds of distinct positions lie within 100 m of a town centre.
FIRST_RING_KM = 0.01


LAST_RING_KM = 60


def _nearest_rows(query: _Query, limit: int, cursor: tuple | None, reverse: bool) -> list:
    """« Nearest first » by positions, in growing rings from the cursor (or the place).

    Each ring is one statement that reads the positions in it and at most ``limit + 1``
    listings of each, so its cost follows the positions near the place and the page, not the
    thousands of listings that may share a point. A ring that yields a full page is exact:
    whatever lies beyond it is farther. Rings grow by area, so a ring past a cursor far from
    the place is a thin band, not a disc.
    """
    start = cursor[0] if cursor is not None else 0.0
    radius = query.params.radius_km
    reach = FIRST_RING_KM
    while True:
        inner: float | None
        outer: float | None
        if reverse:
            # Towards the place: from the cursor's distance down to a ring of the same area
            inner = math.sqrt(max(start * start - reach * reach, 0.0)) if cursor else None
            outer = start if cursor else None
            last = not inner
        else:
            inner, outer, last = start, math.hypot(start, reach), False
            if (radius is not None and outer >= radius) or outer > LAST_RING_KM:
                outer, last = radius, True
        rows = _execute(_ring(query, limit + 1, inner, outer, cursor, reverse)).all()
        if len(rows) > limit or last:
            return rows
        # Aim at about twice the page in the next ring, growing its area at least four times
        reach *= max(2.0, math.sqrt(2 * (limit + 1) / max(len(rows), 1)))


def _ring(
    query: _Query,
    count: int,
    inner: float | None,
    outer: float | None,
    key: tuple | None,
    reverse: bool,
) -> Select:
    """The first ``count`` listings, nearest first (farthest with ``reverse``), at the positions
    between ``inner`` and ``outer`` km from the place (None: no bound) and past ``key``."""
    assert query.place is not None
    if query.dialect == "sqlite":
        positions: Table = search_position_rtree
    else:
        positions = listing_positions
    latitude, longitude = positions.c.latitude, positions.c.longitude
    distance = _distance_from(positions, query.place.latitude, query.place.longitude)
    near = select(latitude, longitude, distance.label("distance"))
    if outer is not None:
        box = bounding_box(query.place.latitude, query.place.longitude, outer + 1e-6)
        if query.dialect == "sqlite":
            in_box = _overlaps(positions, box)
        else:  # the GiST index search_ix_positions
            in_box = func.point(longitude, latitude).op("<@")(
                func.box(func.point(box.min_lon, box.min_lat), func.point(box.max_lon, box.max_lat))
            )
        near = near.where(in_box, distance <= outer)
    if inner:
        near = near.where(distance >= inner)
    near = near.subquery("near")

    # A position's listings, newest first (oldest first going back), from the index
    # (latitude, longitude, seq); at the cursor's own distance, only those past it. One bound
    # on seq per position, not an OR, so that the index starts there.
    at_position = select(_s.seq, _s.listing_id, _s.price_cents).where(
        _s.latitude == near.c.latitude, _s.longitude == near.c.longitude, *query.filters
    )
    if query.text is not None:
        at_position = at_position.where(query.text_condition())
    if key is not None:
        at_cursor, seq = key
        if reverse:
            bound = case((near.c.distance < at_cursor, 0), else_=seq)
            at_position = at_position.where(_s.seq > bound)
        else:
            bound = case((near.c.distance > at_cursor, _SEQ_LIMIT), else_=seq)
            at_position = at_position.where(_s.seq < bound)
    by_seq = _s.seq.asc() if reverse else _s.seq.desc()
    at_position = at_position.order_by(by_seq).limit(count).correlate(near)
    if query.dialect == "postgresql":
        hit = at_position.lateral("hit")
        joined = near.join(hit, true())
    else:  # no LATERAL in SQLite: a correlated IN gives the same plan
        hit = _hit
        joined = near.join(hit, hit.c.seq.in_(at_position.with_only_columns(_s.seq)))
    order = near.c.distance.desc() if reverse else near.c.distance.asc()
    return (
        select(hit.c.seq, hit.c.listing_id, hit.c.price_cents, near.c.distance.label("distance_km"))
        .select_from(joined)
        .order_by(order, hit.c.seq.asc() if reverse else hit.c.seq.desc())
        .limit(count)
    )
