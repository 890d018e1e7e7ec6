"""An admin, a verified club with its manager, and an event the club organises at the Aréna."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.security import Role
from sportressources.events import services
from sportressources.venues.models import Venue
from tests.factories import make_organisation, make_user


def event_data(**changes) -> services.EventData:
    day = paris_today() + timedelta(days=30)
    values = {
        "title": "Meeting international d’athlétisme",
        "starts_on": day,
        "ends_on": day,
        "commune_insee": "62510",
        "all_day": False,
        "start_time": time(18),
        "end_time": time(22),
        "sports": ["athletisme"],
        "description": "Sprint, haies et sauts.",
    }
    values.update(changes)
    return services.EventData(**values)


@pytest.fixture
def admin(app):
    return make_user(email="admin@example.org", display_name="Alice Admin", role=Role.ADMIN)


@pytest.fixture
def manager(app):
    return make_user(email="manager@example.org", display_name="Manon Gestionnaire")


@pytest.fixture
def club(app, manager):
    return make_organisation(manager=manager, name="Liévin Athlétisme")


@pytest.fixture
def arena(app):
    return db.session.scalar(select(Venue).where(Venue.slug == "arena-stade-couvert-lievin"))


@pytest.fixture
def event(club, manager, arena):
    event = services.create_event(
        manager, event_data(organisation_id=club.id, venue_id=arena.id, commune_insee="")
    )
    db.session.commit()
    return event
