"""Donation drives (collectes) run by verified organisations, the pledges residents make to them,
and what the organisation does with what it receives: its inventory and its handouts.

Two counters keep promises: ``drive_wish_lines.pledged`` never exceeds ``quantity_wanted`` and
``drive_slots.booked`` never exceeds ``capacity``. Services raise them with a conditional UPDATE
(one wins when two residents take the last place at the same moment); CHECK constraints back them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values, utcnow
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.accounts.models import User
    from sportressources.events.models import Event
    from sportressources.geo.models import Commune
    from sportressources.listings.models import Listing
    from sportressources.organisations.models import Organisation
    from sportressources.venues.models import Venue


class DriveStatus(enum.StrEnum):
    OPEN = "open"  # takes pledges until its end date (upcoming, running or past by its dates)
    CLOSED = "closed"  # the organisation stopped taking pledges before the end date
    CANCELLED = "cancelled"  # called off: bookings are cancelled and pledgers told


DRIVE_TRANSITIONS = {
    "close": ({DriveStatus.OPEN}, DriveStatus.CLOSED),
    "reopen": ({DriveStatus.CLOSED}, DriveStatus.OPEN),
    "cancel": ({DriveStatus.OPEN, DriveStatus.CLOSED}, DriveStatus.CANCELLED),
}
DRIVE_STAMPS = {"cancel": Stamp(at="cancelled_at")}


class Drive(TimestampMixin, Base):
    __tablename__ = "drives"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(DriveStatus)})", name="status_valid"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        Index("ix_drives_organisation_id", "organisation_id", "starts_on"),
        Index("ix_drives_status_ends_on", "status", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=DriveStatus.OPEN.value)
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The sporting event the drive collects for, if any
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )

    organisation: Mapped[Organisation] = relationship()
    event: Mapped[Event | None] = relationship()
    slots: Mapped[list[DriveSlot]] = relationship(
        back_populates="drive",
        order_by="(DriveSlot.starts_at, DriveSlot.id)",
        cascade="all, delete-orphan",
    )
    wish_lines: Mapped[list[WishLine]] = relationship(
        back_populates="drive", order_by="WishLine.id", cascade="all, delete-orphan"
    )

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="drive", states=DriveStatus, table=DRIVE_TRANSITIONS, stamps=DRIVE_STAMPS
    )


class DriveSlot(Base):
    """A drop-off time at one venue; ``capacity`` residents may book it."""

    __tablename__ = "drive_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        Index("ix_drive_slots_drive_id", "drive_id", "starts_at"),
        Index("ix_drive_slots_venue_id", "venue_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drive_id: Mapped[int] = mapped_column(ForeignKey("drives.id", ondelete="CASCADE"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)

    drive: Mapped[Drive] = relationship(back_populates="slots")
    venue: Mapped[Venue] = relationship()


class WishLine(Base):
    """What the drive asks for: sport, category, size or age group, and how many."""

    __tablename__ = "drive_wish_lines"
    __table_args__ = (
        CheckConstraint("quantity_wanted >= 1", name="quantity_positive"),
        CheckConstraint(
            "pledged >= 0 AND pledged <= quantity_wanted", name="pledged_within_wanted"
        ),
        CheckConstraint("received >= 0", name="received_positive"),
        Index("ix_drive_wish_lines_drive_id", "drive_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drive_id: Mapped[int] = mapped_column(ForeignKey("drives.id", ondelete="CASCADE"))
    sport: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    size: Mapped[str] = mapped_column(String(16), default="")
    age_group: Mapped[str] = mapped_column(String(8), default="")
    quantity_wanted: Mapped[int]
    # Items promised by pledges still booked or received; freed when a pledge is cancelled
    pledged: Mapped[int] = mapped_column(default=0)
    received: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(200), default="")

    drive: Mapped[Drive] = relationship(back_populates="wish_lines")


class PledgeStatus(enum.StrEnum):
    BOOKED = "booked"  # the resident will come at the slot
    DROPPED_OFF = "dropped_off"  # came; items confirmed one by one
    NO_SHOW = "no_show"  # did not come
    CANCELLED = "cancelled"  # cancelled by the resident, or the drive was cancelled


PLEDGE_TRANSITIONS = {
    "drop_off": ({PledgeStatus.BOOKED}, PledgeStatus.DROPPED_OFF),
    "mark_no_show": ({PledgeStatus.BOOKED}, PledgeStatus.NO_SHOW),
    "cancel": ({PledgeStatus.BOOKED}, PledgeStatus.CANCELLED),
}
PLEDGE_STAMPS = {
    "drop_off": Stamp(at="closed_at", by="closed_by_id"),
    "mark_no_show": Stamp(at="closed_at", by="closed_by_id"),
    "cancel": Stamp(at="closed_at", by="closed_by_id"),
}


class Pledge(Base):
    """A resident's promise to bring items to a drive, at one booked slot."""

    __tablename__ = "drive_pledges"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(PledgeStatus)})", name="status_valid"),
        Index("ix_drive_pledges_drive_id", "drive_id", "status"),
        Index("ix_drive_pledges_member_id", "member_id", "id"),
        Index("ix_drive_pledges_slot_id", "slot_id"),
        # One booked pledge per member and drive, even for two submissions at the same moment
        Index(
            "uq_drive_pledges_booked_member",
            "drive_id",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drive_id: Mapped[int] = mapped_column(ForeignKey("drives.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("drive_slots.id"))
    status: Mapped[str] = mapped_column(String(16), default=PledgeStatus.BOOKED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the day-before reminder is queued, so that a second run sends none
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    drive: Mapped[Drive] = relationship()
    member: Mapped[User] = relationship(foreign_keys=[member_id])
    slot: Mapped[DriveSlot] = relationship()
    items: Mapped[list[PledgeItem]] = relationship(
        back_populates="pledge", order_by="PledgeItem.id", cascade="all, delete-orphan"
    )

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="pledge", states=PledgeStatus, table=PLEDGE_TRANSITIONS, stamps=PLEDGE_STAMPS
    )


class PledgeItemStatus(enum.StrEnum):
    PROMISED = "promised"
    RECEIVED = "received"  # the organisation confirmed receipt: it enters the inventory
    NOT_RECEIVED = "not_received"  # not brought, or refused at the drop-off


PLEDGE_ITEM_TRANSITIONS = {
    "receive": ({PledgeItemStatus.PROMISED}, PledgeItemStatus.RECEIVED),
    "mark_not_received": ({PledgeItemStatus.PROMISED}, PledgeItemStatus.NOT_RECEIVED),
}
PLEDGE_ITEM_STAMPS = {
    "receive": Stamp(at="decided_at", by="decided_by_id"),
    "mark_not_received": Stamp(at="decided_at", by="decided_by_id"),
}


class PledgeItem(Base):
    """One line of a pledge: one of the resident's listings, or a quick description."""

    __tablename__ = "drive_pledge_items"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(PledgeItemStatus)})", name="status_valid"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        Index("ix_drive_pledge_items_pledge_id", "pledge_id"),
        Index("ix_drive_pledge_items_wish_line_id", "wish_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("drive_pledges.id", ondelete="CASCADE"))
    wish_line_id: Mapped[int] = mapped_column(ForeignKey("drive_wish_lines.id"))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(default=1)
    condition: Mapped[str] = mapped_column(String(16))
    # Storage key of an optional photo (same pipeline as listing photos)
    photo_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=PledgeItemStatus.PROMISED.value)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    pledge: Mapped[Pledge] = relationship(back_populates="items")
    wish_line: Mapped[WishLine] = relationship()
    listing: Mapped[Listing | None] = relationship()

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="pledge_item",
        states=PledgeItemStatus,
        table=PLEDGE_ITEM_TRANSITIONS,
        stamps=PLEDGE_ITEM_STAMPS,
    )


class InventoryStatus(enum.StrEnum):
    IN_STOCK = "in_stock"
    LISTED = "listed"  # published as one of the organisation's listings (a gift or a loan)
    HANDED_OUT = "handed_out"  # given to a beneficiary (see handouts)
    DISCARDED = "discarded"  # unusable, recycled


INVENTORY_TRANSITIONS = {
    "list": ({InventoryStatus.IN_STOCK}, InventoryStatus.LISTED),
    "unlist": ({InventoryStatus.LISTED}, InventoryStatus.IN_STOCK),
    "hand_out": ({InventoryStatus.IN_STOCK}, InventoryStatus.HANDED_OUT),
    "discard": ({InventoryStatus.IN_STOCK}, InventoryStatus.DISCARDED),
}
INVENTORY_STAMPS = {
    "hand_out": Stamp(at="left_at"),
    "discard": Stamp(at="left_at"),
}


class InventoryItem(TimestampMixin, Base):
    """One physical item an organisation holds: received at a drive, or added by hand."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(InventoryStatus)})", name="status_valid"),
        Index("ix_inventory_items_org_status", "organisation_id", "status", "id"),
        Index("ix_inventory_items_pledge_item_id", "pledge_item_id"),
        Index("ix_inventory_items_listing_id", "listing_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    pledge_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("drive_pledge_items.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(120))
    sport: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    size: Mapped[str] = mapped_column(String(16), default="")
    age_group: Mapped[str] = mapped_column(String(8), default="")
    condition: Mapped[str] = mapped_column(String(16))
    photo_key: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=InventoryStatus.IN_STOCK.value)
    # The listing it was published as (kept after it is given or returned, for its history)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    pledge_item: Mapped[PledgeItem | None] = relationship()
    listing: Mapped[Listing | None] = relationship()

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="inventory_item",
        states=InventoryStatus,
        table=INVENTORY_TRANSITIONS,
        stamps=INVENTORY_STAMPS,
    )


class AgeBand(enum.StrEnum):
    UNDER_6 = "0-5"
    CHILD = "6-10"
    PRETEEN = "11-14"
    TEEN = "15-17"
    ADULT = "18-59"
    SENIOR = "60+"


class Handout(Base):
    """An item handed to a beneficiary, with the least personal data that works (RGPD)."""

    __tablename__ = "inventory_handouts"
    __table_args__ = (
        CheckConstraint(f"age_band IN ({sql_values(AgeBand)})", name="age_band_valid"),
        Index("ix_inventory_handouts_org", "organisation_id", "handed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    inventory_item_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_items.id", ondelete="CASCADE"), unique=True
    )
    # A first name or the organisation's own reference, never a full name
    recipient: Mapped[str] = mapped_column(String(40))
    age_band: Mapped[str] = mapped_column(String(8))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"))
    # The family holds the Pass'Sport: served first
    pass_sport: Mapped[bool] = mapped_column(default=False)
    handed_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    inventory_item: Mapped[InventoryItem] = relationship()
    commune: Mapped[Commune | None] = relationship()
