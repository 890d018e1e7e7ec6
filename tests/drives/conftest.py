"""A verified club with a manager and a volunteer, a venue that accepts drop-offs, and a drive
there: a slot and a wish list, as the club would set them up."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db
from sportressources.drives import pledges, services
from sportressources.venues.models import Venue
from tests.factories import add_member, make_organisation, make_user


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def committed(value):
    db.session.commit()
    return value


@pytest.fixture
def manager(app):
    return make_user(email="manager@example.org", display_name="Manon Gestionnaire")


@pytest.fixture
def club(app, manager):
    return make_organisation(manager=manager, name="US Lens Football")


@pytest.fixture
def volunteer(club):
    return add_member(
        club, make_user(email="volunteer@example.org", display_name="Victor Bénévole")
    )


@pytest.fixture
def venue(app):
    venue = db.session.scalars(select(Venue).order_by(Venue.id)).first()
    venue.dropoff = True
    db.session.commit()
    return venue


@pytest.fixture
def drive(club, manager, venue):
    today = paris_today()
    drive = services.create_drive(
        manager,
        club,
        services.DriveData(
            "Collecte de crampons", today, today + timedelta(days=20), "Pour les U11."
        ),
    )
    services.add_slot(
        manager,
        drive,
        services.SlotData(
            venue.id, at(today + timedelta(days=2), 14), at(today + timedelta(days=2), 17), 2
        ),
    )
    services.add_wish_line(
        manager,
        drive,
        services.WishLineData(
            "football", "chaussures", 3, "36", "", "paires de crampons pointure 36"
        ),
    )
    services.add_wish_line(
        manager, drive, services.WishLineData("football", "ballons", 5, "4", "", "")
    )
    return committed(drive)


def quick(line, quantity=1, title="Crampons Kipsta 36", condition="good", **extra):
    return pledges.ItemData(line.id, title=title, quantity=quantity, condition=condition, **extra)


def pledge_of(member, drive, *items, slot=None):
    return committed(
        pledges.make_pledge(
            member, drive, (slot or drive.slots[0]).id, list(items) or [quick(drive.wish_lines[0])]
        )
    )
