"""Loans of listings of kind « loan »: lending terms, kits, blocked periods, the loans themselves,
their bookings, handovers, waiting lists and private calendar feeds.

Double booking is impossible at the database level: ``loan_bookings`` holds one row per loan and
listing for accepted and active loans (a kit's loan books the kit and each of its items), and no
two rows of one listing may overlap. PostgreSQL enforces it with an exclusion constraint
(btree_gist), SQLite with triggers; the services check first, to explain which days are taken.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, sql_values, utcnow
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.accounts.models import User
    from sportressources.listings.models import Listing
    from sportressources.organisations.models import Organisation


class LoanStatus(enum.StrEnum):
    REQUESTED = "requested"  # the borrower asked for dates; the owner has not answered
    ACCEPTED = "accepted"  # the owner said yes: the dates are booked
    ACTIVE = "active"  # both confirmed the pickup: the borrower has the gear
    RETURNED = "returned"  # both confirmed the return
    DECLINED = "declined"  # the owner said no, or gave the dates to someone else
    CANCELLED = "cancelled"  # either side cancelled before the pickup
    NO_SHOW = "no_show"  # the borrower did not come to the pickup
    EXPIRED = "expired"  # the first day passed before the owner answered


# Statuses that hold the dates in loan_bookings
BOOKED_STATUSES = (LoanStatus.ACCEPTED.value, LoanStatus.ACTIVE.value)
# Statuses that count towards a borrower's cap of simultaneous loans
OPEN_STATUSES = (LoanStatus.REQUESTED.value, *BOOKED_STATUSES)

_S = LoanStatus
# A loan starts as requested.
LOAN_TRANSITIONS = {
    "accept": ({_S.REQUESTED}, _S.ACCEPTED),
    # The owner says no, or accepts another request for overlapping days
    "decline": ({_S.REQUESTED}, _S.DECLINED),
    "expire": ({_S.REQUESTED}, _S.EXPIRED),
    "cancel": ({_S.REQUESTED, _S.ACCEPTED}, _S.CANCELLED),
    "mark_no_show": ({_S.ACCEPTED}, _S.NO_SHOW),
    "start": ({_S.ACCEPTED}, _S.ACTIVE),  # both confirmed the pickup
    "return": ({_S.ACTIVE}, _S.RETURNED),  # both confirmed the return
}
LOAN_STAMPS = {
    "accept": Stamp(at="decided_at"),
    "decline": Stamp(at="decided_at"),
    "expire": Stamp(at="decided_at"),
    "cancel": Stamp(at="cancelled_at", by="cancelled_by_id"),
    "start": Stamp(at="picked_up_at"),
    "return": Stamp(at="returned_at"),
}


class HandoverStage(enum.StrEnum):
    PICKUP = "pickup"
    RETURN = "return"


class Party(enum.StrEnum):
    LENDER = "lender"
    BORROWER = "borrower"


class LoanTerms(Base):
    """How the owner lends one listing; a loan listing without a row lends on the defaults."""

    __tablename__ = "loan_terms"
    __table_args__ = (
        CheckConstraint("min_days >= 1", name="min_days_positive"),
        CheckConstraint("max_days >= min_days AND max_days <= 366", name="max_days_range"),
        CheckConstraint("deposit_cents IS NULL OR deposit_cents > 0", name="deposit_positive"),
        CheckConstraint(
            "partner_max_days IS NULL "
            "OR (partner_max_days >= min_days AND partner_max_days <= 366)",
            name="partner_max_days_range",
        ),
    )

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    min_days: Mapped[int] = mapped_column(default=1)
    max_days: Mapped[int] = mapped_column(default=14)
    # The deposit (caution) handed over at pickup and given back at return; no money moves here
    deposit_cents: Mapped[int | None]
    # Prêt entre clubs et communes: an organisation's item lent to another verified organisation
    # may go without a deposit and for longer
    partner_deposit_waived: Mapped[bool] = mapped_column(default=False)
    partner_max_days: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class KitItem(Base):
    """A loan listing bundled in a kit: lending the kit books every item."""

    __tablename__ = "loan_kit_items"
    __table_args__ = (
        CheckConstraint("kit_id <> item_id", name="not_itself"),
        Index("ix_loan_kit_items_item_id", "item_id"),
    )

    kit_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )

    item: Mapped[Listing] = relationship(foreign_keys=[item_id])


class BlockedPeriod(Base):
    """Days the owner does not lend (own use, holidays), both ends included."""

    __tablename__ = "loan_blocked_periods"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_loan_blocked_periods_listing_id", "listing_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    note: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Loan(Base):
    """One borrower's loan of one listing (or kit) for a date range, both ends included."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(LoanStatus)})", name="status_valid"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("borrower_id <> lender_id", name="not_own_item"),
        CheckConstraint("deposit_cents IS NULL OR deposit_cents > 0", name="deposit_positive"),
        CheckConstraint(
            "deposit_kept_cents IS NULL OR (deposit_kept_cents >= 0 AND deposit_cents IS NOT NULL "
            "AND deposit_kept_cents <= deposit_cents)",
            name="deposit_kept_range",
        ),
        CheckConstraint(
            "extension_end_date IS NULL OR extension_end_date > end_date", name="extension_later"
        ),
        Index("ix_loans_borrower_status", "borrower_id", "status"),
        Index("ix_loans_lender_status", "lender_id", "status"),
        Index("ix_loans_listing_status", "listing_id", "status", "start_date"),
        Index("ix_loans_status_end_date", "status", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    borrower_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The listing's owner when the loan was requested
    lender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The verified organisation the borrower asked for (prêt entre clubs et communes)
    borrower_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(16), default=LoanStatus.REQUESTED.value)
    start_date: Mapped[date]
    # The due date: the last day of the loan (moved by an accepted extension)
    end_date: Mapped[date]
    message: Mapped[str] = mapped_column(Text, default="")
    # Copied from the terms when requested: later changes of the terms do not apply
    deposit_cents: Mapped[int | None]
    # The owner's reason when declining, or either side's when cancelling
    reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    picked_up_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    # The part of the deposit the owner kept at return (0: all of it given back)
    deposit_kept_cents: Mapped[int | None]
    # A pending extension: the later end date the borrower asked for
    extension_end_date: Mapped[date | None]
    extension_message: Mapped[str] = mapped_column(Text, default="")
    extension_requested_at: Mapped[datetime | None]
    extensions_count: Mapped[int] = mapped_column(default=0)
    # Set once each, by a compare-and-set UPDATE, so that two runs never send twice
    due_reminder_sent_at: Mapped[datetime | None]
    overdue_notice_sent_at: Mapped[datetime | None]

    listing: Mapped[Listing] = relationship(foreign_keys=[listing_id])
    borrower: Mapped[User] = relationship(foreign_keys=[borrower_id])
    lender: Mapped[User] = relationship(foreign_keys=[lender_id])
    borrower_organisation: Mapped[Organisation | None] = relationship()
    handovers: Mapped[list[Handover]] = relationship(
        back_populates="loan", order_by="Handover.id", cascade="all, delete-orphan"
    )

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="loan", states=LoanStatus, table=LOAN_TRANSITIONS, stamps=LOAN_STAMPS
    )

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def __repr__(self) -> str:
        return f"<Loan {self.id} {self.status} {self.start_date}..{self.end_date}>"


class Booking(Base):
    """Days a listing is taken by an accepted or active loan, both ends included."""

    __tablename__ = "loan_bookings"
    __table_args__ = (
        UniqueConstraint("loan_id", "listing_id"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_loan_bookings_listing_id", "listing_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    start_date: Mapped[date]
    end_date: Mapped[date]


BOOKING_EXCLUSION = "ex_loan_bookings_no_overlap"
_bookings = Booking.__table__
_bookings.append_constraint(
    ExcludeConstraint(
        (_bookings.c.listing_id, "="),
        (
            func.daterange(_bookings.c.start_date, _bookings.c.end_date, literal_column("'[]'")),
            "&&",
        ),
        name=BOOKING_EXCLUSION,
        using="gist",
    ).ddl_if(dialect="postgresql")
)

# --- Hand-managed DDL: created with the table (db.create_all) and by migration 0005 -------------
# btree_gist gives integers the gist operator class the exclusion constraint needs. It lives in
# « public » so that dropping any other schema (tests use one each) never drops it.
POSTGRESQL_EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"
# SQLite has no exclusion constraint: these triggers refuse an overlapping row the same way.
_OVERLAP = (
    "SELECT 1 FROM loan_bookings AS other WHERE other.listing_id = NEW.listing_id "
    "AND other.start_date <= NEW.end_date AND NEW.start_date <= other.end_date"
)
SQLITE_DDL = (
    f"CREATE TRIGGER loan_bookings_no_overlap_insert BEFORE INSERT ON loan_bookings "
    f"WHEN EXISTS ({_OVERLAP}) "
    f"BEGIN SELECT RAISE(ABORT, '{BOOKING_EXCLUSION}'); END",
    f"CREATE TRIGGER loan_bookings_no_overlap_update "
    f"BEFORE UPDATE OF listing_id, start_date, end_date ON loan_bookings "
    f"WHEN EXISTS ({_OVERLAP} AND other.id <> NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{BOOKING_EXCLUSION}'); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS loan_bookings_no_overlap_update",
    "DROP TRIGGER IF EXISTS loan_bookings_no_overlap_insert",
)

event.listen(_bookings, "before_create", DDL(POSTGRESQL_EXTENSION).execute_if(dialect="postgresql"))
for _statement in SQLITE_DDL:
    event.listen(_bookings, "after_create", DDL(_statement).execute_if(dialect="sqlite"))


class Handover(Base):
    """One side's record of a pickup or a return: the check-list, notes, an optional photo."""

    __tablename__ = "loan_handovers"
    __table_args__ = (
        UniqueConstraint("loan_id", "stage", "party"),
        CheckConstraint(f"stage IN ({sql_values(HandoverStage)})", name="stage_valid"),
        CheckConstraint(f"party IN ({sql_values(Party)})", name="party_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(8))
    party: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Check-list point code -> True when found in order (checklists.py)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    # At return: damage found, in the words of whoever confirms
    damage_report: Mapped[str] = mapped_column(Text, default="")
    # Storage name prefix of the photo (``pret-…``), if one was added
    photo_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    loan: Mapped[Loan] = relationship(back_populates="handovers")


class WaitlistEntry(Base):
    """A member waiting for dates already taken; told once when they free up."""

    __tablename__ = "loan_waitlist"
    __table_args__ = (
        UniqueConstraint("listing_id", "user_id"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_loan_waitlist_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class CalendarFeed(Base):
    """A member's private iCal feed: whoever knows the token reads their loans' dates."""

    __tablename__ = "loan_calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
