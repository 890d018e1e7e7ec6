"""What messaging holds of a member's personal data: the RGPD export, and closing their side
of each conversation when they delete their account."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from sportressources.core.db import db, utcnow
from sportressources.core.templating import member_name
from sportressources.messaging.models import Conversation
from sportressources.messaging.services import (
    INTERESTED,
    OWNER,
    _later,
    _notified_column,
    _read_column,
    other_party,
)


def export_messages(user, **_extra) -> tuple[str, list]:
    """RGPD export: the user's conversations, each with its messages as the user saw them."""
    conversations = db.session.scalars(
        select(Conversation)
        .where(or_(Conversation.owner_id == user.id, Conversation.interested_id == user.id))
        .options(
            joinedload(Conversation.listing),
            joinedload(Conversation.owner),
            joinedload(Conversation.interested),
            selectinload(Conversation.messages),
        )
        .order_by(Conversation.id)
    ).all()
    return "messages", [
        {
            "conversation_id": conversation.id,
            "listing_id": conversation.listing_id,
            "listing_title": conversation.listing.title,
            "role": "owner" if conversation.owner_id == user.id else "interested",
            "other_party": member_name(other_party(user, conversation)),
            "started_at": conversation.created_at.isoformat(),
            "messages": [
                {
                    "sent_at": message.created_at.isoformat(),
                    "from_me": message.sender_id == user.id,
                    "body": message.body,
                    "removed_by_moderation": message.removed_at is not None,
                }
                for message in conversation.messages
            ],
        }
        for conversation in conversations
    ]


def close_conversations_of_deleted_member(user, **_extra) -> None:
    """Keep a leaving member's messages for the other party; close the member's own side.

    The messages stay (their sender then shows as « Membre supprimé »); the member's read and
    notification marks are set so that nothing counts or emails for the closed account.
    """
    now = utcnow()
    for side, participant in (
        (OWNER, Conversation.owner_id),
        (INTERESTED, Conversation.interested_id),
    ):
        read, notified = _read_column(side), _notified_column(side)
        db.session.execute(
            update(Conversation)
            .where(participant == user.id)
            .values({read.key: _later(read, now), notified.key: now})
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
