"""The demo events: real events of the territory, dated in the coming year, loaded once; the
demo drive collects for the Route du Louvre."""

from sqlalchemy import select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.security import Role
from sportressources.drives.demo import seed_demo_drives
from sportressources.drives.models import Drive
from sportressources.events.demo import seed_demo_events
from sportressources.events.models import Event
from tests.drives.test_demo import demo_club
from tests.factories import make_user


def test_the_demo_events_are_loaded_once_in_the_coming_year(app):
    assert seed_demo_events() is None  # no demo admin yet
    make_user(email="admin@example.org", role=Role.ADMIN)
    assert seed_demo_events() == "4 événement(s)"
    db.session.commit()
    assert seed_demo_events() is None
    events = db.session.scalars(select(Event).order_by(Event.starts_on)).all()
    assert events[0].title == "Meeting international d’athlétisme de Liévin"
    assert events[0].venue.slug == "arena-stade-couvert-lievin" and not events[0].all_day
    today = paris_today()
    assert all(0 < (event.starts_on - today).days < 366 for event in events)
    assert {"Route du Louvre", "Trail des Pyramides Noires"} <= {e.title for e in events}


def test_the_demo_drive_collects_for_the_route_du_louvre(app):
    make_user(email="admin@example.org", role=Role.ADMIN)
    seed_demo_events()
    club = demo_club()
    from sportressources.venues.models import Venue

    db.session.scalars(select(Venue)).first().dropoff = True
    db.session.commit()
    seed_demo_drives()
    db.session.commit()
    drive = db.session.scalar(select(Drive).where(Drive.organisation_id == club.id))
    assert drive.event.title == "Route du Louvre"
