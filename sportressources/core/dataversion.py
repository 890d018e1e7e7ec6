"""The data version: one number in the database that changes with every committed write to what
pages show, so that every process and every server knows at its next request that a page built
earlier may be out of date.

Pages' validators (``core.httpcache``) and cached lookups carry the version they were built from.
The version lives in the ``data_versions`` table (one row per name; ``pages`` is the only one),
not in a process or in the rendering cache, and it moves *in the writing transaction*: a reader
that sees the new data sees the new version, whatever server it runs on and whatever the cache
backend, and one that still sees the old version also still sees the old data.

How it moves: every statement on every engine is looked at before it runs (an engine listener,
so the ORM session, Core statements, ``engine.begin()`` blocks of CLI commands and jobs are all
seen). An INSERT, UPDATE, DELETE, REPLACE or TRUNCATE of a table not in ``PRIVATE_TABLES`` marks
the connection; when that connection's transaction commits, one last statement gives the ``pages``
row a new value, just before COMMIT: its row lock is the last one the transaction takes and it is
held only for the commit, so two writers never deadlock on it. A rollback forgets the mark.
Triggers only write derived tables (the search index) after a statement that is itself seen.

Public is the default: a table added later invalidates pages until someone lists it here as
private. Private tables hold what no anonymous page shows (messages, notifications, the mail
queue, the audit log, sessions, tokens, favourites, saved searches...); writing them (on every
sign-in, every message) leaves the cached pages alone.

The new value is drawn at random (62 bits), not incremented: a database restored from a backup
comes back with the version it had then, so no value is ever given to two different states of
the data (a counter would hand out again values already seen before the restore). A missing row
reads as 0; the first change creates it (an upsert, safe when two transactions race).

Not seen: writes made by another program (``psql``, ``pg_restore``): after restoring a backup
the version is the backup's own, which is right; after editing rows by hand, run any write
through the app or restart with a new build. A transaction that changed the schema (migrations)
checks that the table exists before moving the version; migrations change the build id anyway
(``core.httpcache.build_id``).
"""

from __future__ import annotations

import re
import secrets
import weakref

from flask import has_request_context, request
from sqlalchemy import BigInteger, Engine, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from sportressources.core.db import Base, db

PAGES = "pages"
TABLE = "data_versions"
MEMO = "sportressources.data_version"  # in the WSGI environ: one request's version

# Tables whose rows no anonymous page shows: writing them leaves the version alone. By name:
# core sits below the packages that own them. A test checks that each still exists.
PRIVATE_TABLES = frozenset(
    {
        TABLE,
        "alembic_version",
        "audit_entries",
        "outgoing_mail",
        "notifications",
        "conversations",
        "messages",
        "member_sessions",
        "sign_in_throttles",
        "api_tokens",
        "favourites",
        "saved_searches",
        "loan_calendar_feeds",
    }
)

# Columns of public tables that no page shows: an UPDATE that sets only these (and the row's
# ``updated_at``) leaves the version alone. A sign-in notes the time on the member's row; it
# must not make every cached page of the site out of date.
PRIVATE_COLUMNS = {"users": frozenset({"last_login_at", "password_hash", "updated_at"})}


class DataVersion(Base):
    """One named version: ``pages`` changes with every committed write to a public table."""

    __tablename__ = TABLE

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


def current() -> int:
    """The version of the pages' data, read once per request (kept with the request; read
    again on each call outside one: a job's app context lasts longer than a change); 0 while no
    change has created the row. Read it before reading what a page shows: the page is then at
    least as new as the version says."""
    if has_request_context() and MEMO in request.environ:
        return request.environ[MEMO]
    value = db.session.scalar(select(DataVersion.version).where(DataVersion.name == PAGES)) or 0
    if has_request_context():
        request.environ[MEMO] = value
    return value


def new_value() -> int:
    """A version never seen before (with odds of 1 in 2**62 against), never 0."""
    return secrets.randbits(62) + 1


# --- Seeing writes --------------------------------------------------------------------------------

_NAME = r'((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)'
_WRITES = re.compile(
    r"\b(?:(?:INSERT(?:\s+OR\s+\w+)?|REPLACE)\s+INTO|DELETE\s+FROM"
    rf"|UPDATE(?:\s+OR\s+\w+)?(?:\s+ONLY)?(?=\s+{_NAME}(?:\s+(?:AS\s+)?\w+)?\s+SET\b))"
    rf"\s+{_NAME}|\b(TRUNCATE)\b",
    re.IGNORECASE,
)
_DDL = re.compile(r"(?:^|;)\s*(?:CREATE|ALTER|DROP)\b", re.IGNORECASE)

WROTE = "sr62_wrote_public_table"
CHANGED_SCHEMA = "sr62_changed_schema"
# Pools (one per engine) whose database is known to have the table
_table_present: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _single(statement: str) -> str | None:
    """The statement without leading spaces when it is one plain statement (not a WITH, no
    ``;``), which can only write the table it starts by naming; None otherwise. Every SELECT
    of a page is one: it is judged on its first word, never scanned."""
    head = statement.lstrip()
    if ";" in statement or head[:4].upper() == "WITH":
        return None
    return head


def written_tables(statement: str) -> set[str]:
    """The tables a statement writes (names without quotes or schema, lower case); ``"*"`` for
    a TRUNCATE, which counts as writing every table."""
    single = _single(statement)
    if single is not None:
        if single[:6].upper() == "SELECT":
            return set()
        found = _WRITES.match(single)  # at once for the ORM's writes, however long
        # Anything else (BEGIN, a comment first...) is short, or read in full to be sure
        matches = [found] if found else list(_WRITES.finditer(single))
    else:
        matches = list(_WRITES.finditer(statement))
    names = set()
    for match in matches:
        if match.group(3):
            names.add("*")
            continue
        name = match.group(2)
        names.add(name.rsplit(".", 1)[-1].strip('"').lower())
    return names


_SET = re.compile(r"^UPDATE\s+(\w+)\s+SET\s+(.*?)(?:\s+WHERE\s|$)", re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r"(?:^|,)\s*(\w+)\s*=")
# psycopg's named parameters and the type casts SQLAlchemy adds to them
_BINDS = re.compile(r"%\(\w+\)s(?:::[A-Z][A-Z ]*(?:\(\d+(?:,\s*\d+)?\))?)?")


def writes_public_table(statement: str) -> bool:
    public = written_tables(statement) - PRIVATE_TABLES
    if len(public) == 1 and (table := next(iter(public))) in PRIVATE_COLUMNS:
        return not _sets_only(statement, PRIVATE_COLUMNS[table])
    return bool(public)


def _sets_only(statement: str, columns: frozenset[str]) -> bool:
    """True for a plain ``UPDATE table SET a=…, b=… WHERE …`` whose columns are all in
    ``columns``; anything else (a subquery, a name not understood) is false: public."""
    single = _single(statement)
    found = _SET.match(single) if single is not None else None
    if found is None:
        return False
    values = _BINDS.sub("?", found.group(2))
    if "(" in values:
        return False
    assignments = values.split(",")
    names = {m.group(1).lower() for part in assignments if (m := _ASSIGNED.match(part))}
    return len(names) == len(assignments) and names <= columns


def _info(conn):
    try:
        return conn.info
    except Exception:  # noqa: BLE001 - an invalidated connection has no info left to keep
        return None


def _before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    if statement[:6].upper() == "SELECT" and ";" not in statement:
        return  # a page's reads: the cost of this hook is these two checks
    info = _info(conn)
    if info is None:
        return
    if not info.get(WROTE) and writes_public_table(statement):
        info[WROTE] = True
    single = _single(statement)
    if _DDL.match(single) if single is not None else _DDL.search(statement):
        info[CHANGED_SCHEMA] = True
        _table_present.pop(conn.engine.pool, None)


def _forget(conn) -> None:
    info = _info(conn)
    if info is not None:
        info.pop(WROTE, None)
        info.pop(CHANGED_SCHEMA, None)


def _on_commit(conn) -> None:
    """Move the version as the transaction's last statement, if it wrote a public table."""
    info = _info(conn)
    if info is None:
        return
    wrote = info.pop(WROTE, False)
    changed_schema = info.pop(CHANGED_SCHEMA, False)
    if not wrote:
        return
    pool = conn.engine.pool
    if changed_schema or not _table_present.get(pool):
        # An old schema (a migration half-way, a test database at an old revision): no version
        if not conn.dialect.has_table(conn, TABLE):
            return
        _table_present[pool] = True
    value = new_value()
    conn.exec_driver_sql(
        f"INSERT INTO {TABLE} (name, version) VALUES ('{PAGES}', {value}) "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version"
    )


event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
event.listen(Engine, "begin", _forget)
event.listen(Engine, "rollback", _forget)
event.listen(Engine, "commit", _on_commit)
