"""The outbox: every email the site sends is first a row here, written in the transaction of the
action it reports, and delivered from here after the commit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sportressources.core.db import Base, sql_values, utcnow
from sportressources.core.states import StateMachine


class MailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt, or being sent by the sender that claimed it
    SENT = "sent"  # the relay accepted it
    FAILED = "failed"  # given up: refused for good, or too many attempts


# What people do to a message. The senders (``delivery``) move it between pending, sent and
# failed themselves, with compare-and-set updates on their own connections.
MAIL_TRANSITIONS = {
    "retry": ({MailStatus.FAILED}, MailStatus.PENDING),  # an admin sends a given-up one again
}


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"
    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="outgoing_mail",
        states=MailStatus,
        table=MAIL_TRANSITIONS,
        conflict_message=_l("Ce courriel n’est pas abandonné : il est envoyé ou déjà en attente."),
    )
    __table_args__ = (
        CheckConstraint(
            f"status IN ({sql_values(MailStatus)})",
            name="status_valid",
        ),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_outgoing_mail_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    # Extra headers (name -> value), e.g. List-Unsubscribe; From, To, Date... are added at sending
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Fixed when queued, so that a message sent twice after a crash can be recognised as one
    message_id: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    # When a sender may take it; while claimed, the end of the claim
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The sender holding it (a random token per run); only that sender may mark it
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    # Why the last attempt failed, in a few words: codes and the relay's reply, never the message
    last_error: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.id} {self.status}>"
