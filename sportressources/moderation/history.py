"""A member's history as a moderator weighs a decision: their listings and what became of them,
the decisions and statements about them, the reports against what they wrote, the ratings they
received, their reliability figure and their sanctions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.moderation.models import (
    CaseStatus,
    ModerationCase,
    Report,
    Sanction,
    Statement,
    TargetType,
)
from sportressources.trade.models import Rating
from sportressources.trade.reputation import Reliability, reliability

SHOWN = 10


@dataclass(frozen=True)
class AuthorHistory:
    member: User
    listings: list[Listing]  # the latest
    listings_by_status: dict[str, int]
    decisions: list[ModerationCase]  # the latest decided cases about their items
    decisions_by_kind: dict[str, int]
    statements: list[Statement]
    reports: list[Report]  # the latest reports against their items or their profile
    reports_by_status: dict[str, int]
    ratings: list[Rating]  # the latest they received
    reliability: Reliability
    sanctions: list[Sanction]

    @property
    def listing_count(self) -> int:
        return sum(self.listings_by_status.values())

    @property
    def report_count(self) -> int:
        return sum(self.reports_by_status.values())


def _counts(query) -> dict[str, int]:
    return {key: count for key, count in db.session.execute(query).all()}


def author_history(member: User, *, exclude_case_id: int | None = None) -> AuthorHistory:
    """What a member did and what was decided about them, the latest of each first.

    ``exclude_case_id`` leaves out the case being decided. Runs a fixed number of queries.
    """
    listings = list(
        db.session.scalars(
            select(Listing)
            .where(Listing.owner_id == member.id)
            .order_by(Listing.id.desc())
            .limit(SHOWN)
        )
    )
    listings_by_status = _counts(
        select(Listing.status, func.count())
        .where(Listing.owner_id == member.id)
        .group_by(Listing.status)
    )
    decided = [
        ModerationCase.author_id == member.id,
        ModerationCase.status == CaseStatus.DECIDED.value,
    ]
    if exclude_case_id is not None:
        decided.append(ModerationCase.id != exclude_case_id)
    decisions = list(
        db.session.scalars(
            select(ModerationCase)
            .where(*decided)
            .options(joinedload(ModerationCase.decided_by))
            .order_by(ModerationCase.decided_at.desc(), ModerationCase.id.desc())
            .limit(SHOWN)
        )
    )
    decisions_by_kind = _counts(
        select(ModerationCase.decision, func.count())
        .where(*decided)
        .group_by(ModerationCase.decision)
    )
    statements = list(
        db.session.scalars(
            select(Statement)
            .where(Statement.member_id == member.id)
            .order_by(Statement.id.desc())
            .limit(SHOWN)
        )
    )
    against = (
        select(Report.id)
        .join(ModerationCase, ModerationCase.id == Report.case_id)
        .where(ModerationCase.author_id == member.id)
        .union(
            select(Report.id).where(
                Report.target_type == TargetType.PROFILE.value, Report.target_id == member.id
            )
        )
    ).subquery()
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.id.in_(select(against.c.id)))
            .order_by(Report.id.desc())
            .limit(SHOWN)
        )
    )
    reports_by_status = _counts(
        select(Report.status, func.count())
        .where(Report.id.in_(select(against.c.id)))
        .group_by(Report.status)
    )
    ratings = list(
        db.session.scalars(
            select(Rating)
            .where(Rating.ratee_id == member.id)
            .options(joinedload(Rating.rater))
            .order_by(Rating.id.desc())
            .limit(SHOWN)
        )
    )
    sanctions = list(
        db.session.scalars(
            select(Sanction).where(Sanction.member_id == member.id).order_by(Sanction.id.desc())
        )
    )
    return AuthorHistory(
        member=member,
        listings=listings,
        listings_by_status=listings_by_status,
        decisions=decisions,
        decisions_by_kind=decisions_by_kind,
        statements=statements,
        reports=reports,
        reports_by_status=reports_by_status,
        ratings=ratings,
        reliability=reliability(member),
        sanctions=sanctions,
    )
