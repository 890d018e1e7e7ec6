"""Helpers for inventory tests: received items built from real drive rows, without the drives
services (a drive, a slot at a venue, a wish line, a pledge whose items are received)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sportressources.core.db import db, utcnow
from sportressources.core.states import apply_transition
from sportressources.drives.inventory import add_received_item
from sportressources.drives.models import (
    Drive,
    DriveSlot,
    InventoryItem,
    InventoryStatus,
    Pledge,
    PledgeItem,
    WishLine,
)
from sportressources.venues.models import Venue
from tests.factories import make_user

_counter = itertools.count(1)


def make_venue(commune_insee: str = "62498", pickup: bool = True) -> Venue:
    number = next(_counter)
    venue = Venue(
        slug=f"stade-inventaire-{number}",
        name=f"Stade de l’inventaire {number}",
        kind="stadium",
        commune_insee=commune_insee,
        latitude=50.43,
        longitude=2.83,
        pickup=pickup,
        dropoff=True,
        status="published",
    )
    db.session.add(venue)
    db.session.commit()
    return venue


def make_drive(organisation, title: str = "Collecte de rentrée", venue=None) -> Drive:
    venue = venue or make_venue()
    today = date.today()
    drive = Drive(
        organisation_id=organisation.id,
        title=title,
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=7),
    )
    drive.slots.append(
        DriveSlot(
            venue_id=venue.id,
            starts_at=utcnow() - timedelta(days=1),
            ends_at=utcnow() - timedelta(days=1) + timedelta(hours=2),
            capacity=10,
        )
    )
    db.session.add(drive)
    db.session.commit()
    return drive


def receive_items(
    organisation,
    title: str = "Chaussures de football à crampons",
    quantity: int = 1,
    sport: str = "football",
    category: str = "chaussures",
    size: str = "36",
    age_group: str = "u13",
    condition: str = "good",
    photo_key: str | None = None,
    drive: Drive | None = None,
    pledger=None,
) -> list[InventoryItem]:
    """Items a resident pledged to a drive of the organisation and the organisation received."""
    drive = drive or make_drive(organisation)
    line = WishLine(
        drive_id=drive.id,
        sport=sport,
        category=category,
        size=size,
        age_group=age_group,
        quantity_wanted=quantity,
    )
    pledge = Pledge(
        drive_id=drive.id, member_id=(pledger or make_user()).id, slot_id=drive.slots[0].id
    )
    db.session.add_all([line, pledge])
    db.session.flush()
    pledge_item = PledgeItem(
        pledge_id=pledge.id,
        wish_line_id=line.id,
        title=title,
        quantity=quantity,
        condition=condition,
        photo_key=photo_key,
    )
    db.session.add(pledge_item)
    db.session.flush()
    apply_transition(pledge_item, "receive", actor=None)
    items = add_received_item(pledge_item, None)
    db.session.commit()
    return items


def stock_item(organisation, **fields) -> InventoryItem:
    """An in-stock item added directly."""
    values = {
        "title": "Ballon de football taille 4",
        "sport": "football",
        "category": "ballons",
        "size": "4",
        "age_group": "u11",
        "condition": "good",
    }
    values.update(fields)
    item = InventoryItem(
        organisation_id=organisation.id, status=InventoryStatus.IN_STOCK.value, **values
    )
    db.session.add(item)
    db.session.commit()
    return item
