"""The review queue: cases opened for new, edited, resubmitted, reported or flagged items, and
the lock that makes the first decision on a case the only one. Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from sportressources.core.db import db, utcnow
from sportressources.moderation.models import CaseReason, CaseStatus, ModerationCase


def open_case_for(target_type: str, target_id: int) -> ModerationCase | None:
    """The open case of an item, if any."""
    return db.session.scalars(
        select(ModerationCase).where(
            ModerationCase.target_type == target_type,
            ModerationCase.target_id == target_id,
            ModerationCase.status == CaseStatus.OPEN.value,
        )
    ).first()


def last_decided_case(target_type: str, target_id: int) -> ModerationCase | None:
    """The latest decided case of an item, shown beside a resubmission."""
    return db.session.scalars(
        select(ModerationCase)
        .where(
            ModerationCase.target_type == target_type,
            ModerationCase.target_id == target_id,
            ModerationCase.status == CaseStatus.DECIDED.value,
        )
        .order_by(ModerationCase.id.desc())
    ).first()


def open_case(
    target_type: str,
    target_id: int,
    *,
    author_id: int | None,
    reason: CaseReason | str,
    flags: Iterable[dict[str, Any]] = (),
    reports: int = 0,
) -> ModerationCase:
    """Put an item in the queue, or join the case already open for it; flushes.

    A joined case keeps its place (its opening date) and gains the new flags and reports; a
    report on an item waiting as « new » makes it « reported ». A new case points to the item's
    last decided case, so that the moderator sees the previous decision.
    """
    flags = [dict(flag) for flag in flags]
    case = open_case_for(target_type, target_id)
    if case is None:
        previous = last_decided_case(target_type, target_id)
        case = ModerationCase(
            target_type=target_type,
            target_id=target_id,
            author_id=author_id,
            reason=str(reason),
            status=CaseStatus.OPEN.value,
            flags=[],
            flag_count=0,
            report_count=0,
            opened_at=utcnow(),
            previous_case_id=previous.id if previous else None,
        )
        db.session.add(case)
    elif str(reason) == CaseReason.REPORTED:
        case.reason = CaseReason.REPORTED.value
    known = {flag.get("code") for flag in case.flags or []}
    added = [flag for flag in flags if flag.get("code") not in known]
    if added:
        case.flags = [*(case.flags or []), *added]
        case.flag_count = len(case.flags)
    case.report_count = (case.report_count or 0) + reports
    db.session.flush()
    return case


def lock_case(case_id: int) -> ModerationCase:
    """Lock a case's row until commit and reload it (SQLite runs one writer at a time), so that
    of two moderators deciding at once, the second sees the first's decision."""
    return db.session.scalars(
        select(ModerationCase)
        .where(ModerationCase.id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
