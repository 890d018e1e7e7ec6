"""Reading events: upcoming and past ones, by zone and sport; one event by slug."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.events.models import Event, EventStatus
from sportressources.geo.models import Commune

PAGE_SIZE = 30


@dataclass(frozen=True)
class EventFilter:
    zone_id: int | None = None
    sport: str = ""
    past: bool = False


def _with_places(query):
    return query.options(
        selectinload(Event.commune).selectinload(Commune.zone),
        selectinload(Event.venue),
        selectinload(Event.organisation),
    )


def list_events(criteria: EventFilter, today: date | None = None) -> list[Event]:
    """Events still to come or running (soonest first), or past ones (latest first), cancelled
    ones included (marked on the page), within a zone and for a sport when asked."""
    today = today or paris_today()
    query = select(Event).join(Event.commune)
    if criteria.past:
        query = query.where(Event.ends_on < today).order_by(Event.starts_on.desc(), Event.id)
    else:
        query = query.where(Event.ends_on >= today).order_by(Event.starts_on, Event.id)
    if criteria.zone_id is not None:
        query = query.where(Commune.zone_id == criteria.zone_id)
    events = list(db.session.scalars(_with_places(query)))
    if criteria.sport:
        # Sports are a JSON list (as on organisations): filtered here, the same on both backends
        events = [event for event in events if criteria.sport in (event.sports or [])]
    return events[:PAGE_SIZE] if criteria.past else events


def upcoming_event_choices(today: date | None = None, keep_id: int | None = None) -> list[Event]:
    """Published events not over yet, soonest first, for the « Événement » select of drives and
    listings; ``keep_id``, the event already chosen, stays in the list even if it is over."""
    today = today or paris_today()
    query = (
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED.value, Event.ends_on >= today)
        .order_by(Event.starts_on, Event.id)
    )
    events = list(db.session.scalars(query))
    if keep_id is not None and all(event.id != keep_id for event in events):
        kept = db.session.get(Event, keep_id)
        if kept is not None:
            events.insert(0, kept)
    return events


def event_open_for_ties(event_id: int | None, today: date | None = None) -> Event | None:
    """The event ``event_id`` if a drive or listing may be tied to it (published, not over)."""
    if event_id is None:
        return None
    event = db.session.get(Event, event_id)
    today = today or paris_today()
    if event is None or event.is_cancelled or event.ends_on < today:
        return None
    return event


def get_event(slug: str) -> Event:
    """An event by slug; raises NotFound."""
    event = db.session.scalar(_with_places(select(Event).where(Event.slug == slug)))
    if event is None:
        raise NotFound(_l("Cet événement n’existe pas."))
    return event


def feed_events(today: date | None = None, days_back: int = 90) -> list[Event]:
    """The events of the iCal feed: those ending at most ``days_back`` days ago, and later."""
    from datetime import timedelta

    since = (today or paris_today()) - timedelta(days=days_back)
    query = select(Event).where(Event.ends_on >= since).order_by(Event.starts_on, Event.id)
    return list(db.session.scalars(_with_places(query)))
