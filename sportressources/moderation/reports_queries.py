"""Reads about reports: each reporter's record (how many of their recent reports were upheld or
rejected), when a slowed-down reporter may report again, and the moderators' list of open reports
grouped by item."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload

from sportressources.core.db import db, utcnow
from sportressources.moderation.models import Report, ReportStatus
from sportressources.moderation.reports_targets import Target, load_targets

# A reporter whose reports decided in the last RECORD_WINDOW were all rejected, at least
# SLOW_DOWN_AFTER of them, may send one report per SLOW_DOWN_INTERVAL
RECORD_WINDOW = timedelta(days=90)
SLOW_DOWN_AFTER = 5
SLOW_DOWN_INTERVAL = timedelta(days=1)
GROUPS_PER_PAGE = 30


@dataclass(frozen=True)
class ReporterRecord:
    """A reporter's reports decided over the last RECORD_WINDOW."""

    decided: int = 0
    upheld: int = 0

    @property
    def rejected(self) -> int:
        return self.decided - self.upheld

    @property
    def slowed(self) -> bool:
        """All rejected, and enough of them: one report a day at most."""
        return self.decided >= SLOW_DOWN_AFTER and self.upheld == 0


def _reporter_is(reporter_id: int | None, email: str | None):
    if reporter_id is not None:
        return Report.reporter_id == reporter_id
    return and_(Report.reporter_id.is_(None), Report.reporter_email == email)


def reporter_records(
    member_ids: Iterable[int], emails: Iterable[str] = (), now: datetime | None = None
) -> dict[int | str, ReporterRecord]:
    """The records of these reporters in one query: members by id, visitors by email address.
    A reporter with nothing decided lately has no entry."""
    member_ids, emails = set(member_ids), set(emails)
    if not member_ids and not emails:
        return {}
    since = (now or utcnow()) - RECORD_WINDOW
    upheld = func.sum(sql_case((Report.status == ReportStatus.UPHELD.value, 1), else_=0))
    rows = db.session.execute(
        select(Report.reporter_id, Report.reporter_email, func.count(), upheld)
        .where(
            Report.status != ReportStatus.OPEN.value,
            Report.decided_at >= since,
            or_(
                Report.reporter_id.in_(member_ids),
                and_(Report.reporter_id.is_(None), Report.reporter_email.in_(emails)),
            ),
        )
        .group_by(Report.reporter_id, Report.reporter_email)
    ).all()
    records: dict[int | str, ReporterRecord] = {}
    for reporter_id, email, decided, upheld_count in rows:
        key = reporter_id if reporter_id is not None else email
        known = records.get(key, ReporterRecord())
        records[key] = ReporterRecord(
            known.decided + decided, known.upheld + int(upheld_count or 0)
        )
    return records


def record_of(reporter_id: int | None, email: str | None = None) -> ReporterRecord:
    """One reporter's record (a member by id, else a visitor by address)."""
    key = reporter_id if reporter_id is not None else email
    if key is None:
        return ReporterRecord()
    records = reporter_records([reporter_id] if reporter_id is not None else [], [email or ""])
    return records.get(key, ReporterRecord())


def has_open_report(
    reporter_id: int | None, email: str | None, target_type: str, target_id: int
) -> bool:
    """True while this reporter (a member by id, else a visitor by address) has a report on
    the item still open."""
    return (
        db.session.scalar(
            select(Report.id)
            .where(
                _reporter_is(reporter_id, email),
                Report.target_type == target_type,
                Report.target_id == target_id,
                Report.status == ReportStatus.OPEN.value,
            )
            .limit(1)
        )
        is not None
    )


def slowed_until(
    reporter_id: int | None, email: str | None = None, now: datetime | None = None
) -> tuple[datetime, ReporterRecord] | None:
    """When a slowed-down reporter may report again, with their record; None if they may now."""
    now = now or utcnow()
    record = record_of(reporter_id, email)
    if not record.slowed:
        return None
    last = db.session.scalar(
        select(func.max(Report.created_at)).where(_reporter_is(reporter_id, email))
    )
    if last is None or last + SLOW_DOWN_INTERVAL <= now:
        return None
    return last + SLOW_DOWN_INTERVAL, record


def export_reports(user, **_extra) -> tuple[str, list]:
    """RGPD export: the reports the member sent, with what became of them."""
    rows = db.session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    ).all()
    return "moderation_reports", [
        {
            "target_type": report.target_type,
            "target_id": report.target_id,
            "reason": report.reason,
            "explanation": report.explanation,
            "status": report.status,
            "sent_at": report.created_at.isoformat(),
            "decided_at": report.decided_at.isoformat() if report.decided_at else None,
        }
        for report in rows
    ]


def open_report_count() -> int:
    """How many reports wait for a decision (the moderators' menu)."""
    return db.session.scalar(
        select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN.value)
    )


@dataclass(frozen=True)
class ReportGroup:
    """The open reports of one item, for the moderators."""

    target_type: str
    target_id: int
    target: Target | None  # None once the item is gone
    case_id: int | None
    reports: list[Report]

    @property
    def reasons(self) -> list[str]:
        """The distinct reasons given, most frequent first."""
        counts: dict[str, int] = {}
        for report in self.reports:
            counts[report.reason] = counts.get(report.reason, 0) + 1
        return sorted(counts, key=lambda code: (-counts[code], code))


def open_report_groups(page: int = 1) -> tuple[list[ReportGroup], bool]:
    """One page of the open reports grouped by item, the most reported first (then the oldest),
    and whether another page follows. A fixed number of queries whatever the page holds."""
    page = max(page, 1)
    first = func.min(Report.created_at)
    count = func.count()
    rows = db.session.execute(
        select(Report.target_type, Report.target_id, count, first)
        .where(Report.status == ReportStatus.OPEN.value)
        .group_by(Report.target_type, Report.target_id)
        .order_by(count.desc(), first, Report.target_type, Report.target_id)
        .offset((page - 1) * GROUPS_PER_PAGE)
        .limit(GROUPS_PER_PAGE + 1)
    ).all()
    has_more = len(rows) > GROUPS_PER_PAGE
    rows = rows[:GROUPS_PER_PAGE]
    if not rows:
        return [], has_more
    ids_by_type: dict[str, list[int]] = {}
    for target_type, target_id, _count, _first in rows:
        ids_by_type.setdefault(target_type, []).append(target_id)
    reports = db.session.scalars(
        select(Report)
        .where(
            Report.status == ReportStatus.OPEN.value,
            or_(
                *(
                    and_(Report.target_type == target_type, Report.target_id.in_(ids))
                    for target_type, ids in ids_by_type.items()
                )
            ),
        )
        .order_by(Report.created_at, Report.id)
        .options(selectinload(Report.reporter))
    ).all()
    by_target: dict[tuple[str, int], list[Report]] = {}
    for report in reports:
        by_target.setdefault((report.target_type, report.target_id), []).append(report)
    targets = {
        target_type: load_targets(target_type, ids) for target_type, ids in ids_by_type.items()
    }
    groups = []
    for target_type, target_id, _count, _first in rows:
        group_reports = by_target.get((target_type, target_id), [])
        case_ids = [report.case_id for report in group_reports if report.case_id is not None]
        groups.append(
            ReportGroup(
                target_type,
                target_id,
                targets[target_type].get(target_id),
                max(case_ids) if case_ids else None,
                group_reports,
            )
        )
    return groups, has_more


def records_for(groups: list[ReportGroup]) -> dict[int | str, ReporterRecord]:
    """The records of every reporter on the page, in one query."""
    reports = [report for group in groups for report in group.reports]
    return reporter_records(
        (report.reporter_id for report in reports if report.reporter_id is not None),
        (report.reporter_email for report in reports if report.reporter_id is None),
    )
