"""The dashboard's figures: what waits for the team, the decisions of each of the last days,
and what each member of the team decided. One statement each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, literal, or_, select, union_all

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.security import Role
from sportressources.moderation.figures.timing import (
    paris_day,
    paris_midnight,
    paris_today,
    utc_hour,
)
from sportressources.moderation.models import (
    RESTRICTIVE_DECISIONS,
    Appeal,
    AppealStatus,
    CaseStatus,
    Decision,
    ModerationCase,
    Report,
    ReportStatus,
    Sanction,
)

DASHBOARD_DAYS = 30


@dataclass(frozen=True)
class Backlog:
    """What waits for the team, with the date of the oldest of each kind."""

    cases: int
    oldest_case_at: datetime | None
    reports: int
    oldest_report_at: datetime | None
    appeals: int
    oldest_appeal_at: datetime | None


def backlog() -> Backlog:
    """Open cases, open reports and open appeals, with the oldest of each; one statement."""

    def count(model, status):
        return select(func.count()).select_from(model).where(status).scalar_subquery()

    def oldest(column, status):
        return select(func.min(column)).where(status).scalar_subquery()

    case_open = ModerationCase.status == CaseStatus.OPEN.value
    report_open = Report.status == ReportStatus.OPEN.value
    appeal_open = Appeal.status == AppealStatus.OPEN.value
    row = db.session.execute(
        select(
            count(ModerationCase, case_open),
            oldest(ModerationCase.opened_at, case_open),
            count(Report, report_open),
            oldest(Report.created_at, report_open),
            count(Appeal, appeal_open),
            oldest(Appeal.created_at, appeal_open),
        )
    ).one()
    return Backlog(*row)


@dataclass(frozen=True)
class DayCount:
    """The decisions of one Paris day on the queue's cases, by kind."""

    day: date
    approved: int = 0
    restricted: int = 0  # rejected, changes requested, removed
    dismissed: int = 0  # reports found unfounded

    @property
    def total(self) -> int:
        return self.approved + self.restricted + self.dismissed


RESTRICTIVE_VALUES = frozenset(decision.value for decision in RESTRICTIVE_DECISIONS)


def decisions_per_day(days: int = DASHBOARD_DAYS, now: datetime | None = None) -> list[DayCount]:
    """The cases decided on each of the last ``days`` Paris days (today included), oldest day
    first, days without a decision included; one statement."""
    today = paris_today(now)
    first = today - timedelta(days=days - 1)
    hour = utc_hour(ModerationCase.decided_at)
    rows = db.session.execute(
        select(hour, ModerationCase.decision, func.count())
        .where(
            ModerationCase.status == CaseStatus.DECIDED.value,
            ModerationCase.decided_at >= paris_midnight(first),
        )
        .group_by(hour, ModerationCase.decision)
    ).all()
    counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for hour_text, decision, number in rows:
        if decision == Decision.APPROVE.value:
            kind = "approved"
        elif decision in RESTRICTIVE_VALUES:
            kind = "restricted"
        else:
            kind = "dismissed"
        counts[paris_day(hour_text)][kind] += number
    return [
        DayCount(day, **counts.get(day, {}))
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


@dataclass(frozen=True)
class ModeratorCount:
    """What one member of the team decided over the period."""

    member: User
    cases: int = 0
    appeals: int = 0
    sanctions: int = 0

    @property
    def total(self) -> int:
        return self.cases + self.appeals + self.sanctions


def decisions_per_moderator(
    days: int = DASHBOARD_DAYS, now: datetime | None = None
) -> list[ModeratorCount]:
    """Per member of the team (every moderator and admin, and anyone else who decided in the
    period): cases decided, appeals ruled on and sanctions given over the last ``days`` Paris
    days; busiest first. One statement."""
    since = paris_midnight(paris_today(now) - timedelta(days=days - 1))
    acts = union_all(
        select(ModerationCase.decided_by_id.label("who"), literal("cases").label("kind")).where(
            ModerationCase.status == CaseStatus.DECIDED.value,
            ModerationCase.decided_at >= since,
            ModerationCase.decided_by_id.is_not(None),
        ),
        select(Appeal.ruled_by_id, literal("appeals")).where(
            Appeal.ruled_at >= since, Appeal.ruled_by_id.is_not(None)
        ),
        select(Sanction.created_by_id, literal("sanctions")).where(
            Sanction.starts_at >= since, Sanction.created_by_id.is_not(None)
        ),
    ).subquery()
    per_kind = (
        select(acts.c.who, acts.c.kind, func.count().label("number"))
        .group_by(acts.c.who, acts.c.kind)
        .subquery()
    )
    rows = db.session.execute(
        select(User, per_kind.c.kind, per_kind.c.number)
        .outerjoin(per_kind, per_kind.c.who == User.id)
        .where(
            or_(
                and_(
                    User.role.in_([Role.MODERATOR.value, Role.ADMIN.value]),
                    User.deleted_at.is_(None),
                ),
                per_kind.c.who.is_not(None),
            )
        )
    ).all()
    members: dict[int, User] = {}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for member, kind, number in rows:
        members[member.id] = member
        if kind is not None:
            counts[member.id][kind] = number
    result = [ModeratorCount(members[key], **counts[key]) for key in members]
    return sorted(result, key=lambda row: (-row.total, row.member.display_name.lower()))
