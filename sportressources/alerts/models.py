"""Saved searches: what a member asked to be told about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.accounts.models import User
from sportressources.core.db import Base, utcnow


class SavedSearch(Base):
    """A search a member saved as an alert: new matching listings arrive in a daily digest."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The search's query string, normalised (sorted, without paging): the alert's identity
    query: Mapped[str] = mapped_column(String(1000))
    # Listings with an id above this were not sent yet: the digest's high-water mark
    last_listing_id: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
