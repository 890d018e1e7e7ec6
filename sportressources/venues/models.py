"""The territory: the Pôle métropolitain, its zones (intercommunalities), communes and venues."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values
from sportressources.core.states import Stamp, StateMachine
from sportressources.geo.models import Commune

if TYPE_CHECKING:
    from sportressources.accounts.models import User


class VenueKind(enum.StrEnum):
    STADIUM = "stadium"
    INDOOR_ARENA = "indoor_arena"
    SWIMMING_POOL = "swimming_pool"
    GYMNASIUM = "gymnasium"
    CLUB_HOUSE = "club_house"
    SPORTS_CAMPUS = "sports_campus"
    OUTDOOR_SITE = "outdoor_site"
    LEISURE_PARK = "leisure_park"
    DROP_OFF_POINT = "drop_off_point"
    OTHER = "other"


class VenueStatus(enum.StrEnum):
    PROPOSED = "proposed"  # suggested by a resident, hidden until a moderator accepts it
    PUBLISHED = "published"
    REJECTED = "rejected"


# A venue starts published (added by a moderator or the data loader) or proposed (by a member).
VENUE_TRANSITIONS = {
    "approve": ({VenueStatus.PROPOSED}, VenueStatus.PUBLISHED),
    "reject": ({VenueStatus.PROPOSED}, VenueStatus.REJECTED),
}
VENUE_STAMPS = {
    "approve": Stamp(at="reviewed_at", by="reviewed_by_id"),
    "reject": Stamp(at="reviewed_at", by="reviewed_by_id"),
}


class Venue(TimestampMixin, Base):
    """A place where gear changes hands: a stadium, a pool, a club house, a drop-off point."""

    __tablename__ = "venues"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(VenueKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({sql_values(VenueStatus)})", name="status_valid"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        Index("ix_venues_status_latitude", "status", "latitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(255), default="")
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), index=True)
    latitude: Mapped[float]
    longitude: Mapped[float]
    # True while the venue sits at its commune's centre because its exact position is unknown
    position_approximate: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    # ISO weekdays the venue opens (« 12345 » = Monday to Friday); empty when not known, in
    # which case any day is accepted for a handover there
    open_weekdays: Mapped[str] = mapped_column(String(7), default="")
    # pickup: a public place where members may meet to hand gear over;
    # dropoff: staff there accept gear left for someone (partner sites only)
    pickup: Mapped[bool] = mapped_column(default=True)
    dropoff: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=VenueStatus.PUBLISHED.value)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    # Set when a moderator edits the venue in the site: the data loader then leaves it alone
    edited_at: Mapped[datetime | None]

    commune: Mapped[Commune] = relationship()
    # By name: accounts builds on territory, so territory never imports it
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="venue", states=VenueStatus, table=VENUE_TRANSITIONS, stamps=VENUE_STAMPS
    )

    @property
    def is_published(self) -> bool:
        return self.status == VenueStatus.PUBLISHED.value

    def is_open_on(self, day) -> bool:
        """True if handovers may happen at the venue on ``day`` (a date): open, or not known."""
        return not self.open_weekdays or str(day.isoweekday()) in self.open_weekdays

    def __repr__(self) -> str:
        return f"<Venue {self.slug}>"
