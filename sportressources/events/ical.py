"""The public iCal feed of the territory's events (RFC 5545)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, gettext
from icalendar import Calendar
from icalendar import Event as VEvent

from sportressources.core.dates import PARIS
from sportressources.core.db import utcnow
from sportressources.core.mail import external_url
from sportressources.events.models import Event
from sportressources.events.queries import feed_events


def location_of(event: Event) -> str:
    """Where the event takes place, in words: « Aréna stade couvert, Liévin » or the commune."""
    if event.venue is not None:
        return f"{event.venue.name}, {event.venue.commune.name}"
    return event.commune.name


def build_calendar(now: datetime | None = None) -> bytes:
    """The events of the feed as one iCalendar document: one VEVENT each, with a UID that never
    changes, all-day dates or Paris times, STATUS:CANCELLED for those called off."""
    moment = now or utcnow()
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = Calendar()
        calendar.add("prodid", "-//Sport ressources 62//Evenements//FR")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", gettext("Événements sportifs – Sport ressources 62"))
        calendar.add("x-wr-timezone", "Europe/Paris")
        for event in feed_events():
            calendar.add_component(_vevent(event, host, moment))
        return calendar.to_ical()


def _vevent(event: Event, host: str, moment: datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"event-{event.id}@{host}")
    vevent.add("dtstamp", moment)
    if event.all_day or event.starts_at is None or event.ends_at is None:
        vevent.add("dtstart", event.starts_on)
        vevent.add("dtend", event.ends_on + timedelta(days=1))  # exclusive end (RFC 5545)
    else:
        vevent.add("dtstart", event.starts_at.astimezone(PARIS))
        vevent.add("dtend", event.ends_at.astimezone(PARIS))
    vevent.add("summary", event.title)
    vevent.add("location", location_of(event))
    url = external_url("events.event", slug=event.slug)
    vevent.add("url", url)
    vevent.add("description", f"{event.description}\n\n{url}".strip())
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    vevent.add("last-modified", event.updated_at or moment)
    return vevent
