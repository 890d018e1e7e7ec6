"""The two counters that keep a drive's promises, raised and lowered by conditional UPDATEs.

``drive_wish_lines.pledged`` never exceeds ``quantity_wanted`` and ``drive_slots.booked`` never
exceeds ``capacity``: each change is one UPDATE whose WHERE clause holds the limit, so that when two
residents take the last place at the same moment, the database lets one through and the other
UPDATE changes no row (PostgreSQL re-reads the row after the first commits; SQLite's single
writer queues them). The CHECK constraints of the tables back this up. Each function returns True
when the row changed. Run inside the caller's write transaction; the ORM copies of the rows are
expired so that they are read again.
"""

from __future__ import annotations

from sqlalchemy import update

from sportressources.core.db import db
from sportressources.drives.models import DriveSlot, WishLine


def _changed(statement, model, row_id: int) -> bool:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    loaded = db.session.identity_map.get(db.session.identity_key(model, row_id))  # type: ignore[attr-defined]
    if loaded is not None:
        db.session.expire(loaded)
    return result.rowcount == 1


def take_line(line_id: int, quantity: int) -> bool:
    """Promise ``quantity`` items of a wish line, if that many are still needed."""
    return _changed(
        update(WishLine)
        .where(WishLine.id == line_id, WishLine.pledged + quantity <= WishLine.quantity_wanted)
        .values(pledged=WishLine.pledged + quantity),
        WishLine,
        line_id,
    )


def free_line(line_id: int, quantity: int) -> bool:
    """Give back ``quantity`` promised items of a wish line (a cancelled or missing item)."""
    return _changed(
        update(WishLine)
        .where(WishLine.id == line_id, WishLine.pledged >= quantity)
        .values(pledged=WishLine.pledged - quantity),
        WishLine,
        line_id,
    )


def add_received(line_id: int, quantity: int) -> bool:
    """Count ``quantity`` items of a wish line as received."""
    return _changed(
        update(WishLine)
        .where(WishLine.id == line_id)
        .values(received=WishLine.received + quantity),
        WishLine,
        line_id,
    )


def set_wanted(line_id: int, quantity: int) -> bool:
    """Set how many items a line wants, if no fewer than are already promised."""
    return _changed(
        update(WishLine)
        .where(WishLine.id == line_id, WishLine.pledged <= quantity)
        .values(quantity_wanted=quantity),
        WishLine,
        line_id,
    )


def take_place(slot_id: int) -> bool:
    """Book one place in a slot, if one is left."""
    return _changed(
        update(DriveSlot)
        .where(DriveSlot.id == slot_id, DriveSlot.booked + 1 <= DriveSlot.capacity)
        .values(booked=DriveSlot.booked + 1),
        DriveSlot,
        slot_id,
    )


def free_place(slot_id: int) -> bool:
    """Give back one place of a slot."""
    return _changed(
        update(DriveSlot)
        .where(DriveSlot.id == slot_id, DriveSlot.booked >= 1)
        .values(booked=DriveSlot.booked - 1),
        DriveSlot,
        slot_id,
    )


def set_capacity(slot_id: int, capacity: int) -> bool:
    """Set a slot's capacity, if no lower than the places already booked."""
    return _changed(
        update(DriveSlot)
        .where(DriveSlot.id == slot_id, DriveSlot.booked <= capacity)
        .values(capacity=capacity),
        DriveSlot,
        slot_id,
    )
