"""Figures computed from the data: the dashboard (what waits, decisions per day, per moderator)
and the public transparency report (per year). Read functions only: each figure is one statement
that groups in SQL, never one per row. Days and years are Europe/Paris calendar days and years
(``timing``)."""

from __future__ import annotations

from flask import Flask

from sportressources.moderation.figures.dashboard import (
    DASHBOARD_DAYS,
    Backlog,
    DayCount,
    ModeratorCount,
    backlog,
    decisions_per_day,
    decisions_per_moderator,
)
from sportressources.moderation.figures.timing import (
    PARIS,
    median_seconds,
    paris_day,
    paris_midnight,
    paris_today,
)
from sportressources.moderation.figures.transparency import (
    NoticeRow,
    Row,
    SanctionRow,
    Transparency,
    ground_label,
    transparency,
    year_bounds,
    years_with_data,
)

__all__ = [
    "DASHBOARD_DAYS",
    "PARIS",
    "Backlog",
    "DayCount",
    "ModeratorCount",
    "NoticeRow",
    "Row",
    "SanctionRow",
    "Transparency",
    "backlog",
    "decisions_per_day",
    "decisions_per_moderator",
    "ground_label",
    "median_seconds",
    "paris_day",
    "paris_midnight",
    "paris_today",
    "transparency",
    "year_bounds",
    "years_with_data",
]


def register(app: Flask) -> None:
    """Wire the admin part in: the transparency link in the footer, the role notices."""
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.moderation import team

    team.register_kinds()
    add_to_slot(app, "footer.links", partial("moderation/transparency_link.html"), order=50)
