"""The territory's calendar: dates people read and pick are Paris dates, moments are stored in
UTC (``core.db.utcnow``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sportressources.core.db import utcnow

PARIS = ZoneInfo("Europe/Paris")


def paris_today(now: datetime | None = None) -> date:
    """The calendar day in Europe/Paris at ``now`` (an aware datetime; the present by default)."""
    return (now or utcnow()).astimezone(PARIS).date()


def paris_midnight(day: date) -> datetime:
    """The moment a Paris calendar day begins, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)
