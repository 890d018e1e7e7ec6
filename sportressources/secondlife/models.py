"""Second-life suggestions: gear that sat unused, suggested to its owner, and where it went.

One row per listing, ever (a unique constraint): the scan never suggests the same item twice,
even when two scans run at once, and an item routed or dismissed is never suggested again.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.accounts.models import User
    from sportressources.listings.models import Listing
    from sportressources.organisations.models import Organisation


class SuggestionReason(enum.StrEnum):
    IDLE_LOAN = "idle_loan"  # a lendable item nobody borrowed for months
    UNCLAIMED_GIFT = "unclaimed_gift"  # a gift nobody claimed for weeks


class SuggestionStatus(enum.StrEnum):
    SUGGESTED = "suggested"  # waiting for its owner's choice
    OFFERED = "offered"  # offered to a ressourcerie, waiting for its answer
    ACCEPTED = "accepted"  # the ressourcerie takes it: the listing is withdrawn
    DECLINED = "declined"  # the ressourcerie said no (reason given); the owner may choose again
    DONATED = "donated"  # the owner turned the loan into a gift listing
    DISMISSED = "dismissed"  # the owner keeps it as it is


_S = SuggestionStatus
_CHOOSING = {_S.SUGGESTED, _S.DECLINED}
SUGGESTION_TRANSITIONS = {
    "offer": (_CHOOSING, _S.OFFERED),
    "accept": ({_S.OFFERED}, _S.ACCEPTED),
    "decline": ({_S.OFFERED}, _S.DECLINED),
    "donate": (_CHOOSING, _S.DONATED),
    "dismiss": (_CHOOSING, _S.DISMISSED),
}
_DECIDED = Stamp(at="decided_at", by="decided_by_id")
SUGGESTION_STAMPS = {
    "offer": Stamp(at="offered_at"),
    "accept": _DECIDED,
    "decline": _DECIDED,
    "donate": _DECIDED,
    "dismiss": _DECIDED,
}
OPEN_STATUSES = (_S.SUGGESTED.value, _S.OFFERED.value, _S.DECLINED.value)
DECLINE_REASON_MAX = 500


class Suggestion(TimestampMixin, Base):
    __tablename__ = "second_life_suggestions"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(SuggestionStatus)})", name="status_valid"),
        CheckConstraint(f"reason IN ({sql_values(SuggestionReason)})", name="reason_valid"),
        Index("ix_second_life_suggestions_owner_status", "owner_id", "status"),
        Index("ix_second_life_suggestions_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), unique=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.SUGGESTED.value)
    # The ressourcerie it is (or was last) offered to
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    offered_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    listing: Mapped[Listing] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation | None] = relationship()

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="second_life_suggestion",
        states=SuggestionStatus,
        table=SUGGESTION_TRANSITIONS,
        stamps=SUGGESTION_STAMPS,
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Suggestion {self.id} listing={self.listing_id} {self.status}>"
