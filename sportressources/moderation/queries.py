"""Reads with a moderation meaning, shared by the pages (queue counts, history, figures)."""

from __future__ import annotations

from sqlalchemy import func, select

from sportressources.core.db import db
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
