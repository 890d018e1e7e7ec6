"""In-app notifications: what happened, stored as a kind and parameters, never as French text.

The message is written in the reader's language when the list is shown, from the kind and its
parameters (``services.render``), so a member who switches to English reads every notification,
old ones included, in English.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sportressources.core.db import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id", "user_id", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A registered kind (``services.register_kind``), e.g. « loan_requested »
    kind: Mapped[str] = mapped_column(String(40))
    # JSON-ready values the message needs: titles, ISO dates, the id of the member who acted
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A path on this site (« /prets/12 »), never an absolute URL
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind}>"
