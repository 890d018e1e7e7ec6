"""Conversations between a listing's owner and an interested member, and their messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.accounts.models import User
from sportressources.core.db import Base, utcnow
from sportressources.listings.models import Listing


class Conversation(Base):
    """The messages between a listing's owner and one interested member."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("listing_id", "interested_id"),
        Index("ix_conversations_owner_last", "owner_id", "last_message_at"),
        Index("ix_conversations_interested_last", "interested_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    interested_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Each side's read and email-notification marks: one email per batch of unread messages
    owner_read_at: Mapped[datetime | None]
    interested_read_at: Mapped[datetime | None]
    owner_notified_at: Mapped[datetime | None]
    interested_notified_at: Mapped[datetime | None]

    listing: Mapped[Listing] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    interested: Mapped[User] = relationship(foreign_keys=[interested_id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id", cascade="all, delete-orphan"
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Taken down by a moderator: the body is no longer shown to either side
    removed_at: Mapped[datetime | None]

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    sender: Mapped[User] = relationship()
