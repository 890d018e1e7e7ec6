"""Reads with a moderation meaning, shared by the pages (queue counts, history, the audit log,
the team)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, false, func, select

from sportressources.accounts.models import User
from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.core.security import Role
from sportressources.moderation.models import (
    Appeal,
    AppealStatus,
    CaseStatus,
    ModerationCase,
    Report,
    ReportStatus,
)


def waiting_counts() -> dict[str, int]:
    """What waits for the team: open cases, open reports, open appeals."""
    return {
        "cases": db.session.scalar(
            select(func.count())
            .select_from(ModerationCase)
            .where(ModerationCase.status == CaseStatus.OPEN.value)
        ),
        "reports": db.session.scalar(
            select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN.value)
        ),
        "appeals": db.session.scalar(
            select(func.count()).select_from(Appeal).where(Appeal.status == AppealStatus.OPEN.value)
        ),
    }


# --- the audit log, as admins read it -------------------------------------------------------------

JOURNAL_PAGE_SIZE = 50
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class JournalFilter:
    """Which audit rows to show. ``action`` ending with « . » is a prefix (« listing. »),
    otherwise the exact action; ``system`` keeps the rows no member wrote (scheduled jobs);
    ``nobody`` means an actor was asked for that no account matches, so that no row does."""

    action: str = ""
    actor_id: int | None = None
    system: bool = False
    nobody: bool = False
    target_type: str = ""
    target_id: int | None = None
    since: datetime | None = None  # first moment included
    until: datetime | None = None  # first moment excluded

    def conditions(self) -> list:
        where = []
        if self.nobody:
            where.append(false())
        if self.action.endswith("."):
            where.append(AuditEntry.action.startswith(self.action, autoescape=True))
        elif self.action:
            where.append(AuditEntry.action == self.action)
        if self.actor_id is not None:
            where.append(AuditEntry.actor_id == self.actor_id)
        if self.system:
            where.append(AuditEntry.actor_id.is_(None))
        if self.target_type:
            where.append(AuditEntry.target_type == self.target_type)
        if self.target_id is not None:
            where.append(AuditEntry.target_id == self.target_id)
        if self.since is not None:
            where.append(AuditEntry.occurred_at >= self.since)
        if self.until is not None:
            where.append(AuditEntry.occurred_at < self.until)
        return where


@dataclass(frozen=True)
class JournalLine:
    entry: AuditEntry
    actor: User | None


@dataclass(frozen=True)
class JournalPage:
    """One page of the audit log, newest first, and the cursors of its neighbours: ``older``
    is the ``after`` of the next page, ``newer`` the ``before`` of the previous one."""

    lines: list[JournalLine]
    older: int | None
    newer: int | None


def journal_page(
    filters: JournalFilter,
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = JOURNAL_PAGE_SIZE,
) -> JournalPage:
    """A page of audit rows matching ``filters``, newest first, by keyset on the id: the rows
    older than ``after``, or the rows just newer than ``before``, or the newest ones. One
    statement, the actors joined in."""
    query = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(*filters.conditions())
        .limit(size + 1)
    )
    if before is not None:
        rows = db.session.execute(
            query.where(AuditEntry.id > before).order_by(AuditEntry.id.asc())
        ).all()
        more_newer = len(rows) > size
        lines = [JournalLine(entry, actor) for entry, actor in reversed(rows[:size])]
        return JournalPage(
            lines,
            older=lines[-1].entry.id if lines else None,
            newer=lines[0].entry.id if lines and more_newer else None,
        )
    if after is not None:
        query = query.where(AuditEntry.id < after)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc())).all()
    lines = [JournalLine(entry, actor) for entry, actor in rows[:size]]
    return JournalPage(
        lines,
        older=lines[-1].entry.id if len(rows) > size else None,
        newer=lines[0].entry.id if lines and after is not None else None,
    )


def journal_rows(filters: JournalFilter, *, limit: int) -> Iterator[Row]:
    """Every audit row matching ``filters``, newest first, at most ``limit``, as plain rows
    (columns of the entry, then ``actor_name``, ``actor_email``, ``actor_deleted_at``) read in
    batches by keyset, one statement per thousand rows, for the CSV export."""
    after = None
    given = 0
    while given < limit:
        query = (
            select(
                *AuditEntry.__table__.columns,
                User.display_name.label("actor_name"),
                User.email.label("actor_email"),
                User.deleted_at.label("actor_deleted_at"),
            )
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(*filters.conditions())
            .order_by(AuditEntry.id.desc())
            .limit(min(EXPORT_BATCH, limit - given))
        )
        if after is not None:
            query = query.where(AuditEntry.id < after)
        rows = db.session.execute(query).all()
        yield from rows
        given += len(rows)
        if len(rows) < EXPORT_BATCH:
            return
        after = rows[-1].id


def member_by_email(email: str) -> User | None:
    """The account (not deleted) with this address, whatever its case."""
    return db.session.scalar(
        select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None))
    )


def team_members() -> list[User]:
    """The moderators and admins, admins first, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.MODERATOR.value, Role.ADMIN.value]),
                User.deleted_at.is_(None),
            )
            .order_by(User.role.asc(), func.lower(User.display_name), User.id)
        )
    )
