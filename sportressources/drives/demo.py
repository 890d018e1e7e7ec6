"""A demo drive for ``make run``: if the demo club (slug ``us-club-demo``) exists, a drive running
from three days ago to twenty days ahead at one or two venues that accept drop-offs, with slots, a
wish list and pledges from the demo residents. Through the drive services, like members' clicks;
idempotent (a second run finds the drive and does nothing)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db
from sportressources.drives import pledges, services
from sportressources.drives.models import Drive
from sportressources.events.demo import DRIVE_EVENT_TITLE
from sportressources.events.models import Event
from sportressources.organisations.models import MemberRole, Membership, Organisation

SLUG = "us-club-demo"
TITLE = "Collecte de rentrée : crampons, ballons, raquettes"
PLEDGERS = ("camille@example.org", "yanis@example.org")
WISH_LIST = (
    ("football", "chaussures", "36", "", 10, "paires de crampons pointure 36"),
    ("football", "ballons", "4", "", 8, "ballons taille 4"),
    ("tennis", "raquettes", '23"', "u11", 6, "raquettes junior"),
)


def _demo_event_id() -> int | None:
    """The demo event the drive collects for (events.demo), if it was loaded."""
    event = db.session.scalar(select(Event).where(Event.title == DRIVE_EVENT_TITLE))
    return event.id if event is not None else None


def seed_demo_drives() -> str | None:
    """Create the demo drive once; returns a short report, or None when there is nothing to do."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if organisation is None or not organisation.is_verified:
        return None
    if db.session.scalar(select(Drive.id).where(Drive.organisation_id == organisation.id)):
        return None
    manager = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == MemberRole.MANAGER.value,
        )
    )
    # The venues of the club's own commune first
    venues = sorted(
        services.drive_venues(), key=lambda v: v.commune_insee != organisation.commune_insee
    )[:2]
    if manager is None or not venues:
        return None
    today = paris_today()
    drive = services.create_drive(
        manager,
        organisation,
        services.DriveData(
            title=TITLE,
            starts_on=today,
            ends_on=today + timedelta(days=20),
            description="Vos crampons trop petits feront le bonheur des U11 et U13 du club.",
            event_id=_demo_event_id(),
        ),
    )
    # Opened three days ago: the service refuses a new drive in the past, the demo is older
    drive.starts_on = today - timedelta(days=3)
    for n, venue in enumerate(venues):
        for offset in (2 + n, 9 + n):
            day = today + timedelta(days=offset)
            services.add_slot(
                manager,
                drive,
                services.SlotData(
                    venue_id=venue.id,
                    starts_at=datetime.combine(day, time(14), tzinfo=PARIS),
                    ends_at=datetime.combine(day, time(17), tzinfo=PARIS),
                    capacity=8,
                ),
            )
    lines = [
        services.add_wish_line(
            manager,
            drive,
            services.WishLineData(sport, category, wanted, size, age, note),
        )
        for sport, category, size, age, wanted, note in WISH_LIST
    ]
    made = 0
    for n, email in enumerate(PLEDGERS):
        member = db.session.scalar(select(User).where(User.email == email))
        if member is None:
            continue
        pledges.make_pledge(
            member,
            drive,
            drive.slots[n % len(drive.slots)].id,
            [
                pledges.ItemData(
                    lines[n].id,
                    title=("Crampons Kipsta pointure 36", "Ballons Select taille 4")[n],
                    quantity=2,
                    condition="good",
                ),
                pledges.ItemData(
                    lines[2].id, title="Raquette junior Babolat", quantity=1, condition="very_good"
                ),
            ],
        )
        made += 1
    return f"1 collecte, {len(drive.slots)} créneaux, {made} promesse(s)"
