"""Exchange requests (a gift or a sale asked for, accepted, handed over), with their
transition table."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.accounts.models import User
from sportressources.core.db import Base, sql_values, utcnow
from sportressources.core.states import Stamp, StateMachine
from sportressources.listings.models import Listing


class RequestStatus(enum.StrEnum):
    PENDING = "pending"  # the member asked for the item
    ACCEPTED = "accepted"  # the owner picked this member; the listing is reserved
    DECLINED = "declined"  # the owner picked someone else, or said no
    WITHDRAWN = "withdrawn"  # the member changed their mind
    COMPLETED = "completed"  # both confirmed the handover
    NO_SHOW = "no_show"  # the picked member did not come


_R = RequestStatus
# A request starts pending; asking again after a withdrawal or a refusal renews the same row.
EXCHANGE_REQUEST_TRANSITIONS = {
    "renew": ({_R.WITHDRAWN, _R.DECLINED}, _R.PENDING),
    "withdraw": ({_R.PENDING, _R.ACCEPTED}, _R.WITHDRAWN),
    "accept": ({_R.PENDING}, _R.ACCEPTED),
    # The owner says no, or picks another member
    "decline": ({_R.PENDING}, _R.DECLINED),
    # The listing closes (withdrawn, given or sold by hand) under a pending or accepted request
    "decline_on_close": ({_R.PENDING, _R.ACCEPTED}, _R.DECLINED),
    "complete": ({_R.ACCEPTED}, _R.COMPLETED),
    "mark_no_show": ({_R.ACCEPTED}, _R.NO_SHOW),
}
EXCHANGE_REQUEST_STAMPS = {
    "accept": Stamp(at="decided_at"),
    "decline": Stamp(at="decided_at"),
    "decline_on_close": Stamp(at="decided_at"),
    "complete": Stamp(at="completed_at"),
}


class ExchangeRequest(Base):
    """A member's request for a gift or a sale; the accepted one becomes the exchange."""

    __tablename__ = "exchange_requests"
    __table_args__ = (
        UniqueConstraint("listing_id", "requester_id"),
        CheckConstraint(f"status IN ({sql_values(RequestStatus)})", name="status_valid"),
        # At most one accepted request per listing, whatever the concurrency
        Index(
            "uq_exchange_requests_one_accepted",
            "listing_id",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
        Index("ix_exchange_requests_requester", "requester_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    owner_confirmed_at: Mapped[datetime | None]
    requester_confirmed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    listing: Mapped[Listing] = relationship()
    requester: Mapped[User] = relationship()

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="exchange_request",
        states=RequestStatus,
        table=EXCHANGE_REQUEST_TRANSITIONS,
        stamps=EXCHANGE_REQUEST_STAMPS,
    )
