"""What exchanges and loans share in the database: the one table of ratings."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.accounts.models import User
from sportressources.core.db import Base, utcnow


class RatingKind(enum.StrEnum):
    EXCHANGE = "exchange"  # after a completed exchange (gift or sale)
    LOAN = "loan"  # after a returned loan


class Rating(Base):
    """One party's rating of the other after a handover: a completed exchange or a returned
    loan, exactly one of them, rated once by each party."""

    __tablename__ = "trade_ratings"
    __table_args__ = (
        CheckConstraint("kind IN ('exchange', 'loan')", name="kind_valid"),
        CheckConstraint(
            "(kind = 'exchange' AND exchange_request_id IS NOT NULL AND loan_id IS NULL) "
            "OR (kind = 'loan' AND loan_id IS NOT NULL AND exchange_request_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        UniqueConstraint("exchange_request_id", "rater_id"),
        UniqueConstraint("loan_id", "rater_id"),
        Index("ix_trade_ratings_ratee", "ratee_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    exchange_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("exchange_requests.id", ondelete="CASCADE")
    )
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The comment was taken down by a moderator; the score still counts
    comment_removed_at: Mapped[datetime | None]

    rater: Mapped[User] = relationship(foreign_keys=[rater_id])
    ratee: Mapped[User] = relationship(foreign_keys=[ratee_id])
