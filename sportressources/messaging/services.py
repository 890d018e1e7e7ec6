"""Conversations about a listing between its owner and one interested member.

Services flush and never commit. Only the two participants may read or write a conversation;
anyone else gets NotFound, the same answer as for a missing one, so that ids reveal nothing.
Each side keeps a read mark and a notification mark: a message tells its recipient (an in-app
notice and an email) only if they have read the conversation since they were last told, so a
burst of messages tells them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from sportressources.accounts.models import User
from sportressources.accounts.restrictions import require_unrestricted
from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.templating import member_name
from sportressources.core.text import clean_text
from sportressources.listings.models import Listing
from sportressources.listings.owners import managed_by, owner_side_members
from sportressources.listings.policies import acts_for_owner
from sportressources.messaging.models import Conversation, Message
from sportressources.messaging.notices import NEW_MESSAGE
from sportressources.notifications.services import Email, site_path, tell_member
from sportressources.organisations.models import Membership
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans.models import Loan

BODY_MAX = 2000
PREVIEW_LENGTH = 140
OWNER, INTERESTED = "owner", "interested"

ACCOUNT_CLOSED_MESSAGE = _l(
    "Ce membre a supprimé son compte : il ne peut plus recevoir de messages."
)
NOT_FOUND_MESSAGE = _l("Cette conversation n’existe pas ou ne vous concerne pas.")
# What both sides read instead of a message the moderators took down
REMOVED_MESSAGE = _l("Message retiré par la modération")


@dataclass(frozen=True)
class ConversationSummary:
    """One line of the inbox."""

    conversation: Conversation
    listing: Listing
    other: User
    last_message: Message | None
    unread: bool
    # "owner" (for an organisation's listing: the member writes for it) or "interested"
    side: str = INTERESTED

    @property
    def preview(self) -> str:
        if self.last_message is None:
            return ""
        if self.last_message.removed_at is not None:
            return str(REMOVED_MESSAGE)
        text = " ".join(self.last_message.body.split())
        return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


# --- participants --------------------------------------------------------------------------------


def side_of(user, conversation: Conversation) -> str | None:
    """``"owner"`` or ``"interested"`` for a participant, None for anyone else. The owner's side
    is whoever acts for the listing's owner: for an organisation's listing, any of its current
    members (a former member, the listing's creator included, no longer)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if acts_for_owner(user, conversation.listing):
        return OWNER
    if user.id == conversation.interested_id:
        return INTERESTED
    return None


def other_party(user, conversation: Conversation) -> User:
    """The participant who is not ``user``."""
    return conversation.interested if side_of(user, conversation) == OWNER else conversation.owner


def _require_participant(user, conversation: Conversation) -> str:
    side = side_of(user, conversation)
    if side is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return side


def _read_column(side: str):
    return Conversation.owner_read_at if side == OWNER else Conversation.interested_read_at


def _notified_column(side: str):
    return Conversation.owner_notified_at if side == OWNER else Conversation.interested_notified_at


def _other_side(side: str) -> str:
    return INTERESTED if side == OWNER else OWNER


def _later(column, moment: datetime):
    """SQL for "the later of the column and ``moment``": concurrent writers never move it back."""
    value = literal(moment, Conversation.last_message_at.type)
    return case((column.is_(None), value), (column < value, value), else_=column)


# --- use cases -----------------------------------------------------------------------------------


def start_conversation(actor, listing: Listing) -> Conversation:
    """The conversation between ``actor`` and the owner of ``listing``, created if needed.

    An existing conversation for the pair is reused whatever the listing became. A new one needs
    a visible listing (published or reserved) whose owner still has an account. Raises Forbidden
    for the owner, NotFound for a listing that is not visible.
    """
    if acts_for_owner(actor, listing):
        raise Forbidden(_l("C’est votre annonce : vous ne pouvez pas vous écrire à vous-même."))
    existing = _find_conversation(listing.id, actor.id)
    if existing is not None:
        return existing
    if not listing.is_visible or (listing.organisation_id is None and listing.owner.is_deleted):
        raise NotFound(_l("Cette annonce n’existe pas ou n’est plus visible."))
    return _open(listing, actor.id)


def start_conversation_about_request(actor, request: ExchangeRequest) -> Conversation:
    """The conversation between a listing's owner and a member who requested it, for either.

    Lets the owner write first, to arrange the handover. Raises NotFound for anyone else (the
    same answer as a missing request) and Conflict when the other member deleted their account.
    """
    return _between_parties(
        actor,
        request.listing,
        request.requester,
        _l("Cette demande n’existe pas ou ne vous concerne pas."),
    )


def start_conversation_about_loan(actor, loan: Loan) -> Conversation:
    """The conversation between a loan's lender side and its borrower, for either: the one
    they already have about the listing, or a new one.

    Raises NotFound for anyone else, members following a loan their organisation borrows
    included (the same answer as a missing loan), and Conflict when the other member deleted
    their account.
    """
    return _between_parties(
        actor, loan.listing, loan.borrower, _l("Ce prêt n’existe pas ou ne vous concerne pas.")
    )


def _between_parties(actor, listing: Listing, interested: User, not_yours) -> Conversation:
    is_owner = acts_for_owner(actor, listing)
    if not is_owner and actor.id != interested.id:
        raise NotFound(not_yours)
    existing = _find_conversation(listing.id, interested.id)
    if existing is not None:
        return existing
    if is_owner:
        gone = interested.is_deleted
    else:
        gone = listing.organisation_id is None and listing.owner.is_deleted
    if gone:
        raise Conflict(ACCOUNT_CLOSED_MESSAGE)
    return _open(listing, interested.id)


def _open(listing: Listing, interested_id: int) -> Conversation:
    now = utcnow()
    # Both read marks start now: an empty conversation is unread for nobody.
    conversation = Conversation(
        listing_id=listing.id,
        owner_id=listing.owner_id,
        interested_id=interested_id,
        created_at=now,
        last_message_at=now,
        owner_read_at=now,
        interested_read_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(conversation)
    except IntegrityError:
        # The same pair opened it in another tab at the same moment: use theirs.
        existing = _find_conversation(listing.id, interested_id)
        if existing is None:
            raise
        return existing
    return conversation


def _find_conversation(listing_id: int, interested_id: int) -> Conversation | None:
    return db.session.scalar(
        select(Conversation).where(
            Conversation.listing_id == listing_id, Conversation.interested_id == interested_id
        )
    )


def get_conversation(actor, conversation_id: int) -> Conversation:
    """A conversation ``actor`` takes part in.

    Raises NotFound for a missing id and for a conversation of other members alike.
    """
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    _require_participant(actor, conversation)
    return conversation


def messages_in(actor, conversation: Conversation) -> list[Message]:
    """The messages of a conversation, oldest first, senders loaded. Raises NotFound."""
    _require_participant(actor, conversation)
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.id)
            .options(selectinload(Message.sender))
        )
    )


def send_message(actor, conversation: Conversation, body: str) -> Message:
    """Add a message from ``actor``; the recipient gets one notice and one email per batch of
    unread messages.

    The body is plain text, trimmed, 1 to 2,000 characters. Sending marks the sender's side read.
    Raises NotFound (not a participant), Forbidden (a suspended or banned sender),
    ValidationFailed on ``body``, Conflict when the other member deleted their account.
    """
    side = _require_participant(actor, conversation)
    require_unrestricted(actor, _l("envoyer de message"))
    text = clean_text(body)
    if not text:
        raise ValidationFailed({"body": _l("Écrivez un message avant de l’envoyer.")})
    if len(text) > BODY_MAX:
        raise ValidationFailed(
            {
                "body": _l(
                    "Le message ne peut pas dépasser %(limit)s caractères "
                    "(il en compte %(count)s).",
                    limit=BODY_MAX,
                    count=len(text),
                )
            }
        )
    recipients = recipients_of(actor, conversation)
    if not recipients and not _speaks_to_organisation(side, conversation):
        raise Conflict(
            _l("Ce membre a supprimé son compte : il ne peut plus recevoir de messages.")
        )
    now = utcnow()
    message = Message(
        conversation_id=conversation.id, sender_id=actor.id, body=text, created_at=now
    )
    db.session.add(message)
    conversation.last_message_at = _later(Conversation.last_message_at, now)
    setattr(conversation, _read_column(side).key, _later(_read_column(side), now))
    db.session.flush()
    if _claim_notification(conversation, _other_side(side), now):
        for recipient in recipients:
            _tell_new_message(conversation, recipient, actor)
    return message


def _speaks_to_organisation(side: str, conversation: Conversation) -> bool:
    return side == INTERESTED and conversation.listing.organisation_id is not None


def recipients_of(actor, conversation: Conversation) -> list[User]:
    """Who is told of ``actor``'s message: the interested member, or the owner's side (for an
    organisation's listing, each of its current members but ``actor``); never a deleted
    account."""
    if side_of(actor, conversation) == OWNER:
        interested = conversation.interested
        return [] if interested.is_deleted else [interested]
    return owner_side_members(conversation.listing, exclude=actor)


def _claim_notification(conversation: Conversation, side: str, now: datetime) -> bool:
    """Set the side's notification mark if they read everything since the last email.

    One UPDATE does the check and the write, so two messages sent at once claim it once.
    """
    notified, read = _notified_column(side), _read_column(side)
    result = db.session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation.id,
            or_(notified.is_(None), and_(read.is_not(None), read >= notified)),
        )
        .values({notified.key: now})
        .execution_options(synchronize_session=False)
    )
    db.session.expire(conversation, [notified.key])
    return result.rowcount == 1


def _tell_new_message(conversation: Conversation, recipient: User, sender: User) -> None:
    listing = conversation.listing
    email = Email(
        _l("Nouveau message au sujet de « %(title)s »", title=listing.title),
        "listings/new_message",
        {
            "sender_name": member_name(sender),
            "listing": listing,
            "conversation_url": external_url(
                "messages.conversation", conversation_id=conversation.id
            ),
        },
    )
    tell_member(
        recipient,
        NEW_MESSAGE,
        site_path("messages.conversation", conversation_id=conversation.id),
        email=email,
        title=listing.title,
        actor_id=sender.id,
    )


def is_unread(user, conversation: Conversation, side: str | None = None) -> bool:
    """True if the other participant wrote since ``user`` last read the conversation (``side``:
    ``user``'s, when the caller knows it)."""
    side = side or side_of(user, conversation)
    if side is None:
        return False
    read_at = getattr(conversation, _read_column(side).key)
    return read_at is None or conversation.last_message_at > read_at


def mark_read(actor, conversation: Conversation) -> None:
    """Mark the conversation read by ``actor`` up to its last message; re-arms the email.

    The mark is the last message's time as loaded, never "now", so that a message arriving
    meanwhile stays unread. Raises NotFound for anyone but the participants.
    """
    side = _require_participant(actor, conversation)
    if not is_unread(actor, conversation):
        return
    column = _read_column(side)
    setattr(conversation, column.key, _later(column, conversation.last_message_at))
    db.session.flush()


def conversations_of(user) -> list[ConversationSummary]:
    """The user's conversations, latest activity first, in one SQL statement whatever their count:
    their own and those about the listings of the organisations they act for now.

    Each summary holds the listing, the other participant, the last message and an unread flag.
    """
    last = aliased(Message)
    latest_id = (
        select(func.max(Message.id))
        .where(Message.conversation_id == Conversation.id)
        .correlate(Conversation)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Conversation, last)
        .join(Listing, Listing.id == Conversation.listing_id)
        .outerjoin(last, last.id == latest_id)
        .where(or_(managed_by(user.id), Conversation.interested_id == user.id))
        .options(
            joinedload(Conversation.listing).joinedload(Listing.organisation),
            joinedload(Conversation.owner),
            joinedload(Conversation.interested),
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    ).all()
    # Whose side the member is on: one membership query for all, none without organisations
    needed = {c.listing.organisation_id for c, _m in rows} - {None}
    organisations = (
        set(
            db.session.scalars(
                select(Membership.organisation_id).where(
                    Membership.user_id == user.id, Membership.organisation_id.in_(needed)
                )
            )
        )
        if needed
        else set()
    )
    summaries = []
    for conversation, message in rows:
        organisation_id = conversation.listing.organisation_id
        owns = (
            organisation_id in organisations
            if organisation_id is not None
            else conversation.owner_id == user.id
        )
        side = OWNER if owns else INTERESTED
        summaries.append(
            ConversationSummary(
                conversation=conversation,
                listing=conversation.listing,
                other=conversation.interested if owns else conversation.owner,
                last_message=message,
                unread=is_unread(user, conversation, side),
                side=side,
            )
        )
    return summaries


def unread_count(user) -> int:
    """How many of the user's conversations hold messages they have not read: one COUNT query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0

    def unread(participant, read_at):
        return and_(participant, or_(read_at.is_(None), Conversation.last_message_at > read_at))

    return db.session.scalar(
        select(func.count())
        .select_from(Conversation)
        .join(Listing, Listing.id == Conversation.listing_id)
        .where(
            or_(
                unread(managed_by(user.id), Conversation.owner_read_at),
                unread(Conversation.interested_id == user.id, Conversation.interested_read_at),
            )
        )
    )


# --- moderation --------------------------------------------------------------------------------


def remove_message(actor, message: Message, reason: str = "") -> None:
    """Take a message down (a moderator's decision; the caller checked that ``actor`` may): both
    sides then read « Message retiré par la modération » instead of its text, which is kept for
    an appeal. Recorded in the audit log. Raises Conflict if it is already removed."""
    if message.removed_at is not None:
        raise Conflict(_l("Ce message a déjà été retiré."))
    message.removed_at = utcnow()
    db.session.flush()
    record_entry(
        "message.remove",
        "message",
        message.id,
        actor=actor,
        before="visible",
        after="removed",
        reason=reason,
        details={"conversation_id": message.conversation_id},
    )


def restore_message(actor, message: Message, reason: str = "") -> None:
    """Show a removed message again (an appeal against its removal was granted); recorded in
    the audit log. A message that is not removed stays as it is."""
    if message.removed_at is None:
        return
    message.removed_at = None
    db.session.flush()
    record_entry(
        "message.restore",
        "message",
        message.id,
        actor=actor,
        before="removed",
        after="visible",
        reason=reason,
        details={"conversation_id": message.conversation_id},
    )
