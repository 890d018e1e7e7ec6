"""Demo conversations between the demo members about their demo listings (`flask data init`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.listings.demo import demo_members
from sportressources.listings.models import Listing
from sportressources.messaging.models import Conversation, Message

CONVERSATIONS = (
    (
        "Bonjour, est-il toujours disponible ? Je peux passer samedi.",
        "Oui, toujours disponible. Samedi 10 h au stade, ça vous va ?",
        "Parfait, à samedi !",
    ),
    (
        "Bonjour, quelle taille exactement ? C'est pour mon fils de 9 ans.",
        "Bonjour, c'est indiqué sur l'annonce, il a servi à un enfant du même âge.",
    ),
    (
        "Bonsoir, est-ce que le prix est négociable ?",
        "Le prix est déjà bas, mais on peut en parler.",
    ),
)


def seed_demo_conversations() -> str:
    """A few conversations about the demo listings, once: a second run adds nothing."""
    members = demo_members()
    ids = [member.id for member in members]
    if db.session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.owner_id.in_(ids))
    ):
        return "des conversations de démonstration existent déjà, rien à faire"
    listings = db.session.scalars(
        select(Listing).where(Listing.owner_id.in_(ids)).order_by(Listing.id)
    ).all()
    if len(listings) < len(CONVERSATIONS) * 7:
        return "pas assez d’annonces de démonstration, rien à faire"
    return f"{_seed_conversations(list(listings), members)} conversations"


def _seed_conversations(listings: list[Listing], members: list[User]) -> int:
    count = 0
    for number, exchange in enumerate(CONVERSATIONS):
        listing = listings[number * 7]
        interested = next(m for m in members[number + 1 :] + members if m.id != listing.owner_id)
        started = utcnow() - timedelta(days=3 - number)
        conversation = Conversation(
            listing_id=listing.id,
            owner_id=listing.owner_id,
            interested_id=interested.id,
            created_at=started,
            last_message_at=started,
            owner_read_at=started,
            interested_read_at=started,
        )
        db.session.add(conversation)
        db.session.flush()
        for turn, body in enumerate(exchange):
            sent = started + timedelta(hours=turn * 2)
            sender = interested.id if turn % 2 == 0 else listing.owner_id
            message = Message(
                conversation_id=conversation.id, sender_id=sender, body=body, created_at=sent
            )
            db.session.add(message)
            conversation.last_message_at = sent
        count += 1
    db.session.flush()
    return count
