"""Sporting events of the territory: a meeting, a road race, a trail, a cycling day.

An event is public as soon as it is added; it may be called off (« cancelled ») and stays listed,
marked so, in the pages and the iCal feed. Drives and listings (above) point at events, never the
reverse. Times are stored in UTC; an all-day event keeps its Paris calendar days.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.geo.models import Commune
    from sportressources.organisations.models import Organisation
    from sportressources.venues.models import Venue


class EventStatus(enum.StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"  # called off; still shown, marked as such


EVENT_TRANSITIONS = {
    "cancel": ({EventStatus.PUBLISHED}, EventStatus.CANCELLED),
    "reinstate": ({EventStatus.CANCELLED}, EventStatus.PUBLISHED),
}
EVENT_STAMPS = {"cancel": Stamp(at="cancelled_at")}


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(EventStatus)})", name="status_valid"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        Index("ix_events_status_ends_on", "status", "ends_on"),
        Index("ix_events_starts_on", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Paris calendar days: the whole event for an all-day one, else the days of its moments
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    all_day: Mapped[bool] = mapped_column(default=True)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("venues.id", ondelete="SET NULL"), index=True
    )
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), index=True)
    # Codes of the listings' taxonomy, as organisations keep them (organisations.sports)
    sports: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    website: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.PUBLISHED.value)
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    venue: Mapped[Venue | None] = relationship()
    commune: Mapped[Commune] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="event", states=EventStatus, table=EVENT_TRANSITIONS, stamps=EVENT_STAMPS
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED.value

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
