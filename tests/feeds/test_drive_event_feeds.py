"""Feeds of drives and events: what their public pages list, the latest announced first."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db
from sportressources.drives import services as drives
from sportressources.events import services as events
from sportressources.venues.models import Venue
from tests.factories import committed, make_organisation, make_user
from tests.feeds.helpers import read_feed


@pytest.fixture
def manager(app):
    return make_user(email="manager@example.org", display_name="Manon Gestionnaire")


@pytest.fixture
def club(manager):
    return make_organisation(manager=manager, name="US Lens Football")


@pytest.fixture
def venue(app):
    venue = db.session.scalars(select(Venue).order_by(Venue.id)).first()
    venue.dropoff = True
    db.session.commit()
    return venue


def drive(manager, club, venue, title: str, starts_in: int = 0, days: int = 20):
    start = paris_today() + timedelta(days=starts_in)
    made = drives.create_drive(
        manager, club, drives.DriveData(title, start, start + timedelta(days=days), "Pour les U11.")
    )
    day = start + timedelta(days=1)
    drives.add_slot(
        manager,
        made,
        drives.SlotData(
            venue.id,
            datetime.combine(day, time(14), tzinfo=PARIS),
            datetime.combine(day, time(17), tzinfo=PARIS),
            2,
        ),
    )
    return committed(made)


def event(manager, club, title: str, in_days: int = 30, **changes):
    day = paris_today() + timedelta(days=in_days)
    data = events.EventData(
        **{
            "title": title,
            "starts_on": day,
            "ends_on": day,
            "commune_insee": "62510",
            "all_day": True,
            "start_time": None,
            "end_time": None,
            "sports": ["athletisme"],
            "description": "Sprint, haies et sauts.",
            "organisation_id": club.id,
            **changes,
        }
    )
    return committed(events.create_event(manager, data))


def test_the_drives_feed_lists_running_and_upcoming_drives_latest_first(
    client, manager, club, venue
):
    drive(manager, club, venue, "Collecte de crampons")
    drive(manager, club, venue, "Collecte de <vélos> ]]>", starts_in=10)
    cancelled = drive(manager, club, venue, "Collecte annulée")
    committed(drives.cancel_drive(manager, cancelled, "Plus de bénévoles."))

    feed = read_feed(client.get("/flux/collectes.atom"))

    assert feed.titles == ["Collecte de <vélos> ]]>", "Collecte de crampons"]
    entry = feed.entries[1]
    assert entry.author == "US Lens Football"
    assert venue.name in entry.summary and "Dépôt" in entry.summary
    assert entry.link.startswith("http://localhost/collectes/")
    assert "manager@example.org" not in client.get("/flux/collectes.atom").get_data(as_text=True)
    assert feed.link("alternate") == "http://localhost/collectes"


def test_the_events_feed_lists_upcoming_events_and_marks_cancelled_ones(client, manager, club):
    admin = make_user(role="admin")
    event(admin, club, "Meeting d’athlétisme")
    called_off = event(admin, club, "Cross annulé", in_days=40)
    committed(events.cancel_event(admin, called_off, "Terrain inondé."))

    feed = read_feed(client.get("/flux/evenements.atom"))

    assert feed.titles == ["Cross annulé", "Meeting d’athlétisme"]
    assert "Annulé" in feed.entries[0].summary
    assert "Liévin" in feed.entries[1].summary
    assert feed.link("alternate") == "http://localhost/evenements"


def test_empty_feeds_are_still_valid(client):
    for url in ("/flux/collectes.atom", "/flux/evenements.atom", "/flux/annonces.atom"):
        assert read_feed(client.get(url)).entries == []
