"""The database: declarative base, the ``db`` extension, shared column types, transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def sql_values(enum_class) -> str:
    """The values of a string enum as the list of a CHECK constraint: « 'gift', 'loan' »."""
    return ", ".join(f"'{member.value}'" for member in enum_class)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no offset, so values are stored as naive UTC and handed back aware; comparing an
    aware and a naive datetime raises, which is how a forgotten conversion would show up.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Foreign keys on, WAL so that readers never block the writer, and real transactions.

    The sqlite3 module begins transactions lazily, before the first write only, which breaks
    SAVEPOINT and read-then-write atomicity; SQLAlchemy's documented fix is to switch that off and
    emit BEGIN ourselves (see ``_begin_sqlite``).
    """
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    try:
        cursor.execute("SELECT sin(0), asin(0), radians(0)")
    except dbapi_connection.OperationalError:
        _add_math_functions(dbapi_connection)
    cursor.close()


def _add_math_functions(dbapi_connection) -> None:
    """SQLite built without its math functions: provide the ones distance queries use."""
    import math

    for name, function in {
        "sin": math.sin,
        "cos": math.cos,
        "asin": math.asin,
        "sqrt": math.sqrt,
        "radians": math.radians,
    }.items():
        dbapi_connection.create_function(name, 1, function, deterministic=True)


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    if connection.dialect.name == "sqlite":
        # ``sqlite_begin="IMMEDIATE"`` takes the write lock at once, for check-then-insert work.
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


# Requests whose transaction takes the write lock before anything else (see app.py)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def begin_write() -> None:
    """Open the session's transaction as a write transaction, if none is open yet.

    On SQLite this takes the database's single write lock at once (BEGIN IMMEDIATE), so that a
    transaction that reads then writes cannot be overtaken by a concurrent writer; on PostgreSQL it
    is an ordinary BEGIN, since row locks and constraints arbitrate there.
    """
    if not db.session().in_transaction():
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the session once when the block succeeds, roll back when it raises.

    For CLI commands and batch jobs; a web request commits in its view instead.
    """
    begin_write()
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
