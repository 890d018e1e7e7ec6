"""Time in the figures: Europe/Paris calendar days and years, and the two SQL expressions that
differ between SQLite and PostgreSQL (a timestamp's UTC hour, the seconds between two
timestamps), written once here with SQLAlchemy's compiler extension.

A statement that counts per day groups by UTC hour (at most 24 rows a day) and the hours are put
into Paris days in Python, so that both backends count alike whatever the server's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Float, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from sportressources.core.dates import PARIS, paris_midnight, paris_today  # noqa: F401
from sportressources.core.db import db


class utc_hour(FunctionElement):
    """A timestamp's UTC hour as text, « 2026-03-01 14 »."""

    type = String()
    name = "utc_hour"
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _utc_hour_sqlite(element, compiler, **kw):
    # SQLite keeps UTC timestamps as naive text (core.db.UTCDateTime)
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(utc_hour, "postgresql")
def _utc_hour_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


class seconds_between(FunctionElement):
    """The seconds from a first timestamp to a second one."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def paris_day(hour: str) -> date:
    """The Paris calendar day of a UTC hour written « 2026-03-01 14 »."""
    moment = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return moment.astimezone(PARIS).date()


def median_seconds(start, end, *conditions) -> tuple[int | None, int]:
    """The median of ``end - start`` in seconds over the rows meeting ``conditions``, and how
    many rows there are; one statement (window functions, on both backends)."""
    duration = seconds_between(start, end)
    ranked = (
        select(
            duration.label("seconds"),
            func.row_number().over(order_by=duration).label("position"),
            func.count().over().label("total"),
        )
        .where(*conditions)
        .subquery()
    )
    # The middle row, or the two middle rows for an even count
    middle = ranked.c.position.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
    row = db.session.execute(
        select(func.avg(ranked.c.seconds), func.max(ranked.c.total)).where(middle)
    ).one()
    # To the second: SQLite's julianday arithmetic is a float, a few microseconds off
    return (round(float(row[0])) if row[0] is not None else None), int(row[1] or 0)
