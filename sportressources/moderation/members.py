"""Reads about members for moderation: finding a member by name or email, a member's history
(listings, decisions on their items, reports against them, sanctions, statements), and their
sanctions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.params import parse_int
from sportressources.listings.models import Listing
from sportressources.messaging.models import Message
from sportressources.moderation.models import (
    CaseStatus,
    ModerationCase,
    Report,
    Sanction,
    SanctionStatus,
    Statement,
    TargetType,
)
from sportressources.trade.models import Rating

SEARCH_MAX_LENGTH = 100
SEARCH_LIMIT = 50
HISTORY_LIMIT = 100


@dataclass(frozen=True)
class MemberHistory:
    listings: list[Listing]
    decisions: list[ModerationCase]
    reports: list[Report]
    sanctions: list[Sanction]
    statements: list[Statement]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_members(text: str | None) -> list[User]:
    """Members whose name or email contains ``text`` (case aside), or whose id it is; at most
    fifty, by name. Nothing for an empty or overlong text."""
    text = " ".join((text or "").split())
    if not text or len(text) > SEARCH_MAX_LENGTH:
        return []
    pattern = _like_pattern(text)
    conditions = [
        User.display_name.ilike(pattern, escape="\\"),
        User.email.ilike(pattern, escape="\\"),
    ]
    number = parse_int(text.removeprefix("#"), minimum=1)
    if number is not None:
        conditions.append(User.id == number)
    return list(
        db.session.scalars(
            select(User)
            .where(or_(*conditions))
            .order_by(User.display_name, User.id)
            .limit(SEARCH_LIMIT)
        )
    )


def sanctioned_members() -> list[Sanction]:
    """The sanctions in force other than warnings (suspensions and bans), the latest first."""
    return list(
        db.session.scalars(
            select(Sanction)
            .where(
                Sanction.status == SanctionStatus.ACTIVE.value,
                Sanction.kind != "warning",
            )
            .order_by(Sanction.id.desc())
            .limit(SEARCH_LIMIT)
        )
    )


def member_history(member: User) -> MemberHistory:
    """What moderators weigh before sanctioning ``member``: their latest listings, the decisions
    taken on what they wrote, the reports against them, their sanctions and statements."""
    listing_ids = select(Listing.id).where(Listing.owner_id == member.id).scalar_subquery()
    message_ids = select(Message.id).where(Message.sender_id == member.id).scalar_subquery()
    rating_ids = select(Rating.id).where(Rating.rater_id == member.id).scalar_subquery()

    def about(model):
        return or_(
            (model.target_type == TargetType.PROFILE.value) & (model.target_id == member.id),
            (model.target_type == TargetType.LISTING.value) & model.target_id.in_(listing_ids),
            (model.target_type == TargetType.MESSAGE.value) & model.target_id.in_(message_ids),
            (model.target_type == TargetType.RATING.value) & model.target_id.in_(rating_ids),
        )

    return MemberHistory(
        listings=list(
            db.session.scalars(
                select(Listing)
                .where(Listing.owner_id == member.id)
                .order_by(Listing.id.desc())
                .limit(HISTORY_LIMIT)
            )
        ),
        decisions=list(
            db.session.scalars(
                select(ModerationCase)
                .where(
                    ModerationCase.status == CaseStatus.DECIDED.value,
                    or_(ModerationCase.author_id == member.id, about(ModerationCase)),
                )
                .order_by(ModerationCase.id.desc())
                .limit(HISTORY_LIMIT)
            )
        ),
        reports=list(
            db.session.scalars(
                select(Report).where(about(Report)).order_by(Report.id.desc()).limit(HISTORY_LIMIT)
            )
        ),
        sanctions=list(
            db.session.scalars(
                select(Sanction).where(Sanction.member_id == member.id).order_by(Sanction.id.desc())
            )
        ),
        statements=list(
            db.session.scalars(
                select(Statement)
                .where(Statement.member_id == member.id)
                .order_by(Statement.id.desc())
                .limit(HISTORY_LIMIT)
            )
        ),
    )


# --- sanctions ----------------------------------------------------------------------------------


def sanctions_of(member) -> list[Sanction]:
    """Every sanction of ``member``, the latest first."""
    return list(
        db.session.scalars(
            select(Sanction).where(Sanction.member_id == member.id).order_by(Sanction.id.desc())
        )
    )


def active_sanctions(member) -> list[Sanction]:
    """The sanctions of ``member`` in force, oldest first."""
    return list(
        db.session.scalars(
            select(Sanction)
            .where(
                Sanction.member_id == member.id,
                Sanction.status == SanctionStatus.ACTIVE.value,
            )
            .order_by(Sanction.id)
        )
    )


def statements_of(sanctions: list[Sanction]) -> dict[int, Statement]:
    """The statement of reasons of each sanction, by sanction id (one query)."""
    ids = [sanction.id for sanction in sanctions]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Statement)
        .where(Statement.sanction_id.in_(ids), Statement.appeal_of_id.is_(None))
        .order_by(Statement.id)
    )
    found: dict[int, Statement] = {}
    for statement in rows:
        found.setdefault(statement.sanction_id, statement)
    return found
