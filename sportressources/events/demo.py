"""Demo events for ``make run``: real events of the Pôle métropolitain de l'Artois (named in
shared/context/territoire-sport-artois.txt), dated in the coming year, added through the service
by the demo admin. Idempotent (a second run finds them and does nothing)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.events import services
from sportressources.events.models import Event
from sportressources.venues.models import Venue

ADMIN = "admin@example.org"
# title, days ahead, length in days, times (None: all day), venue slug, INSEE, sports, description
DEMO_EVENTS = (
    (
        "Meeting international d’athlétisme de Liévin",
        75,
        0,
        (time(18), time(22, 30)),
        "arena-stade-couvert-lievin",
        "62510",
        ["athletisme"],
        "Le grand meeting en salle de l’hiver, sur la piste de l’Aréna stade couvert : "
        "sprint, haies, sauts et demi-fond avec des athlètes internationaux.",
    ),
    (
        "Route du Louvre",
        150,
        0,
        None,
        "",
        "62498",
        ["athletisme"],
        "Marathon, semi-marathon, courses et marche : la grande fête de la course à pied, "
        "avec l’arrivée au Louvre-Lens.",
    ),
    (
        "Trail des Pyramides Noires",
        240,
        1,
        None,
        "base-11-19-terrils-jumeaux",
        "62528",
        ["randonnee_trail"],
        "Des trails sur les terrils du bassin minier, dont les terrils jumeaux du 11/19.",
    ),
    (
        "4 jours de Dunkerque : passage dans l’Artois",
        160,
        0,
        None,
        "",
        "62119",
        ["cyclisme"],
        "La course cycliste par étapes des Hauts-de-France traverse le territoire : "
        "venez l’encourager au bord de la route.",
    ),
)
# The demo drive collects for this one (drives.demo)
DRIVE_EVENT_TITLE = "Route du Louvre"


def seed_demo_events() -> str | None:
    """Add the demo events once; returns a short report, or None when there is nothing to do."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    if admin is None or db.session.scalar(select(Event.id).limit(1)) is not None:
        return None
    today = paris_today()
    made = 0
    for title, ahead, length, times, venue_slug, insee, sports, description in DEMO_EVENTS:
        venue = db.session.scalar(select(Venue).where(Venue.slug == venue_slug))
        starts_on = today + timedelta(days=ahead)
        services.create_event(
            admin,
            services.EventData(
                title=title,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=length),
                commune_insee="" if venue else insee,
                venue_id=venue.id if venue else None,
                all_day=times is None,
                start_time=times[0] if times else None,
                end_time=times[1] if times else None,
                sports=sports,
                description=description,
            ),
        )
        made += 1
    return f"{made} événement(s)"
