"""What a report is about: the reportable items (listings, profiles, messages, ratings) as the
reporter and the moderators see them, who may see and report them, and how they are named."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.core.params import parse_int
from sportressources.core.security import actor_of
from sportressources.core.templating import member_name
from sportressources.listings.models import Listing
from sportressources.messaging.models import Conversation, Message
from sportressources.moderation.grounds import ILLEGAL_KINDS, TERMS_RULES, ground_for
from sportressources.moderation.models import TargetType
from sportressources.trade.models import Rating

REPORTABLE = (TargetType.LISTING, TargetType.PROFILE, TargetType.MESSAGE, TargetType.RATING)
LABEL_LENGTH = 80

# How the emails and pages name the reported item, given its label
TARGET_NAMES = {
    TargetType.LISTING.value: _l("l’annonce « %(label)s »"),
    TargetType.PROFILE.value: _l("le profil de %(label)s"),
    TargetType.MESSAGE.value: _l("le message « %(label)s »"),
    TargetType.RATING.value: _l("l’avis « %(label)s »"),
}


@dataclass(frozen=True)
class Target:
    """A reportable item as the reporter and the moderators see it."""

    type: str
    id: int
    item: Any  # the Listing, User, Message or Rating
    author: User | None  # who wrote it (a listing's owner, a message's sender, a rater)
    label: str  # a listing's title, a member's name, the start of a message or a comment
    endpoint: str  # the page that shows it, for url_for
    values: dict[str, Any]
    anchor: str | None = None

    @property
    def author_id(self) -> int | None:
        return self.author.id if self.author is not None else None

    @property
    def ref(self) -> str:
        """How URLs name it: a member by their opaque public id, anything else by its id."""
        return self.item.public_id if self.type == TargetType.PROFILE.value else str(self.id)


def excerpt(text: str, length: int = LABEL_LENGTH) -> str:
    """The start of a text on one line, cut with « … »."""
    line = " ".join((text or "").split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def load_targets(target_type: str, ids: Iterable[int]) -> dict[int, Target]:
    """The items of one type by id, with their authors, in one query; whatever their state."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    if target_type == TargetType.LISTING:
        listings = db.session.scalars(
            select(Listing).where(Listing.id.in_(ids)).options(selectinload(Listing.owner))
        )
        return {
            listing.id: Target(
                target_type,
                listing.id,
                listing,
                listing.owner,
                listing.title,
                "listings.detail",
                {"listing_id": listing.id},
            )
            for listing in listings
        }
    if target_type == TargetType.PROFILE:
        users = db.session.scalars(select(User).where(User.id.in_(ids)))
        return {
            user.id: Target(
                target_type,
                user.id,
                user,
                user,
                member_name(user),
                "accounts.profile",
                {"public_id": user.public_id},
            )
            for user in users
        }
    if target_type == TargetType.MESSAGE:
        messages = db.session.scalars(
            select(Message)
            .where(Message.id.in_(ids))
            .options(selectinload(Message.sender), selectinload(Message.conversation))
        )
        return {
            message.id: Target(
                target_type,
                message.id,
                message,
                message.sender,
                excerpt(message.body),
                "messages.conversation",
                {"conversation_id": message.conversation_id},
            )
            for message in messages
        }
    if target_type == TargetType.RATING:
        ratings = db.session.scalars(
            select(Rating)
            .where(Rating.id.in_(ids))
            .options(selectinload(Rating.rater), selectinload(Rating.ratee))
        )
        return {
            rating.id: Target(
                target_type,
                rating.id,
                rating,
                rating.rater,
                excerpt(rating.comment) or gettext("note de %(score)s sur 5", score=rating.score),
                "accounts.profile",
                {"public_id": rating.ratee.public_id},
                anchor=f"avis-{rating.id}",
            )
            for rating in ratings
        }
    return {}


def _is_public_member(user: User | None) -> bool:
    return user is not None and not user.is_deleted and user.is_confirmed


def _visible_to(actor, target: Target) -> bool:
    item = target.item
    if target.type == TargetType.LISTING:
        return item.is_visible
    if target.type == TargetType.PROFILE:
        return _is_public_member(item)
    if target.type == TargetType.MESSAGE:
        conversation: Conversation = item.conversation
        return item.removed_at is None and actor.user_id in {
            conversation.owner_id,
            conversation.interested_id,
        }
    if target.type == TargetType.RATING:
        return (
            _is_public_member(item.ratee)
            and bool(item.comment.strip())
            and item.comment_removed_at is None
        )
    return False


def find_target(actor, target_type: str, target_id: int) -> Target:
    """The item ``actor`` wants to report, if they can see it.

    Listings must be public (published or reserved: a draft is absent); a profile that of a
    confirmed, live member; a message one of a conversation the actor takes part in, not taken
    down; a rating one whose comment is shown on a public profile. Raises NotFound otherwise,
    the same as for an item that does not exist.
    """
    acting = actor_of(actor)
    target = None
    if target_type in {kind.value for kind in REPORTABLE}:
        target = load_targets(target_type, [target_id]).get(target_id)
    if target is None or not _visible_to(acting, target):
        raise NotFound(_l("Cet élément n’existe pas ou vous ne pouvez pas le voir."))
    return target


def find_target_by_ref(actor, target_type: str, ref: str) -> Target:
    """``find_target`` for the item a URL names by its ``Target.ref`` (a member's public id,
    never their integer id, so that members cannot be listed by counting). Raises NotFound."""
    if target_type == TargetType.PROFILE.value:
        target_id = db.session.scalar(select(User.id).where(User.public_id == ref))
    else:
        target_id = parse_int(ref)
    return find_target(actor, target_type, target_id if target_id is not None else 0)


def can_report(actor, author_id: int | None) -> bool:
    """Anyone, signed in or not, may report what they can see, but not what they wrote."""
    acting = actor_of(actor)
    return not (acting.is_member and acting.user_id == author_id)


def target_name(target_type: str, label: str) -> str:
    """How a reported item is named in a sentence (« l’annonce « Vélo » »), in the current
    language."""
    name = TARGET_NAMES.get(target_type)
    return str(name) % {"label": label} if name is not None else label


def reason_label(code: str) -> str:
    """A report's reason as people read it (« Règle 3.4 des conditions d’utilisation : … »)."""
    ground = ground_for(code)
    if ground is None:
        return code
    if ground.illegal:
        return gettext("Contenu illicite : %(label)s", label=ground.label)
    return gettext(
        "Règle %(rule)s des conditions d’utilisation : %(label)s",
        rule=ground.rule,
        label=ground.label,
    )


def reason_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The reasons a reporter chooses from: the kinds of illegal content, then the numbered
    rules of the terms of use, in the current language."""
    return [
        (gettext("Contenu illicite"), [(g.code, str(g.label)) for g in ILLEGAL_KINDS]),
        (
            gettext("Règle des conditions d’utilisation"),
            [(g.code, f"{g.rule} – {g.label}") for g in TERMS_RULES],
        ),
    ]
