"""Reads of drives with a meaning: the public lists (by zone, commune, venue), a drive's page and
dashboard, a venue's and an organisation's drives, a member's pledges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.drives.models import (
    Drive,
    DriveSlot,
    DriveStatus,
    Pledge,
    PledgeItem,
    PledgeStatus,
)
from sportressources.geo.models import Commune, Zone
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.organisations.models import Organisation
from sportressources.venues.models import Venue, VenueStatus

PAST_LIMIT = 30


@dataclass(frozen=True)
class DriveLists:
    """Drives running or upcoming (soonest first), and past or cancelled ones (latest first)."""

    current: list[Drive]
    past: list[Drive]


def _with_details(query: Select) -> Select:
    return query.options(
        selectinload(Drive.organisation),
        selectinload(Drive.wish_lines),
        selectinload(Drive.slots).selectinload(DriveSlot.venue).selectinload(Venue.commune),
    )


def _split(query: Select, today: date, past_limit: int = PAST_LIMIT) -> DriveLists:
    running = Drive.status != DriveStatus.CANCELLED.value
    current = db.session.scalars(
        _with_details(query.where(running, Drive.ends_on >= today)).order_by(
            Drive.starts_on, Drive.id
        )
    ).all()
    past = db.session.scalars(
        _with_details(query.where(~(running & (Drive.ends_on >= today))))
        .order_by(Drive.ends_on.desc(), Drive.id.desc())
        .limit(past_limit)
    ).all()
    return DriveLists(list(current), list(past))


def list_drives(
    zone: Zone | None = None,
    commune: Commune | None = None,
    venue: Venue | None = None,
    today: date | None = None,
) -> DriveLists:
    """Every drive, or those with a drop-off slot in ``zone``, in ``commune`` or at ``venue``;
    a fixed number of queries whatever the number of drives."""
    query = select(Drive)
    if zone is not None or commune is not None or venue is not None:
        at = (
            select(DriveSlot.drive_id)
            .join(Venue, Venue.id == DriveSlot.venue_id)
            .join(Commune, Commune.insee == Venue.commune_insee)
        )
        if zone is not None:
            at = at.where(Commune.zone_id == zone.id)
        if commune is not None:
            at = at.where(Commune.insee == commune.insee)
        if venue is not None:
            at = at.where(Venue.id == venue.id)
        query = query.where(Drive.id.in_(at))
    return _split(query, today or paris_today())


def venue_drives(venue: Venue, today: date | None = None) -> list[Drive]:
    """Running and upcoming drives with a drop-off slot at ``venue``."""
    return list_drives(venue=venue, today=today).current


def event_drives(event_id: int) -> list[Drive]:
    """The drives collecting for a sporting event, cancelled ones left out, soonest first."""
    query = select(Drive).where(
        Drive.event_id == event_id, Drive.status != DriveStatus.CANCELLED.value
    )
    return list(db.session.scalars(_with_details(query).order_by(Drive.starts_on, Drive.id)))


def organisation_drives(organisation: Organisation, today: date | None = None) -> DriveLists:
    """An organisation's drives, running and upcoming, then past ones with their results."""
    return _split(
        select(Drive).where(Drive.organisation_id == organisation.id), today or paris_today(), 100
    )


def get_drive(drive_id: int) -> Drive:
    """A drive with its organisation, wish list and slots; NotFound otherwise (drives are
    public, cancelled ones included)."""
    drive = db.session.scalar(_with_details(select(Drive).where(Drive.id == drive_id)))
    if drive is None:
        raise NotFound(_l("Cette collecte n’existe pas."))
    return drive


def drive_pledges(drive: Drive) -> list[Pledge]:
    """The drive's pledges, by slot then order of booking, with their members and items."""
    return list(
        db.session.scalars(
            select(Pledge)
            .join(DriveSlot, DriveSlot.id == Pledge.slot_id)
            .where(Pledge.drive_id == drive.id)
            .options(
                selectinload(Pledge.member),
                selectinload(Pledge.items).selectinload(PledgeItem.wish_line),
            )
            .order_by(DriveSlot.starts_at, Pledge.id)
        )
    )


def pledges_of(user_id: int) -> list[Pledge]:
    """A member's pledges, newest first, with their drives, slots and items."""
    return list(
        db.session.scalars(
            select(Pledge)
            .where(Pledge.member_id == user_id)
            .options(
                selectinload(Pledge.drive),
                selectinload(Pledge.slot).selectinload(DriveSlot.venue),
                selectinload(Pledge.items).selectinload(PledgeItem.wish_line),
            )
            .order_by(Pledge.id.desc())
        )
    )


def booked_pledge(drive: Drive, user_id: int | None) -> Pledge | None:
    """The member's booked pledge to this drive, if any."""
    if user_id is None:
        return None
    return db.session.scalar(
        select(Pledge).where(
            Pledge.drive_id == drive.id,
            Pledge.member_id == user_id,
            Pledge.status == PledgeStatus.BOOKED.value,
        )
    )


def pledgeable_listings(user_id: int | None) -> list[Listing]:
    """The member's own published gift listings, which a pledge may promise."""
    if user_id is None:
        return []
    return list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.owner_id == user_id,
                Listing.organisation_id.is_(None),
                Listing.kind == ListingKind.GIFT.value,
                Listing.status == ListingStatus.PUBLISHED.value,
            )
            .order_by(Listing.title, Listing.id)
        )
    )


def progress(drive: Drive) -> tuple[int, int, int]:
    """(received, pledged, wanted) over the whole wish list."""
    lines = drive.wish_lines
    return (
        sum(line.received for line in lines),
        sum(line.pledged for line in lines),
        sum(line.quantity_wanted for line in lines),
    )


def venues_with_drives() -> list[Venue]:
    """Published venues where a drive has or had a slot, by name (the list's venue filter)."""
    return list(
        db.session.scalars(
            select(Venue)
            .where(
                Venue.status == VenueStatus.PUBLISHED.value,
                Venue.id.in_(select(DriveSlot.venue_id).distinct()),
            )
            .order_by(Venue.name)
        )
    )
