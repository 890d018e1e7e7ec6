"""The audit log: one row per change of state that matters (a listing approved, a loan cancelled),
saying who did it, when, from which state to which, and why.

Rows are only ever added. The database itself refuses to change or delete them: triggers on
SQLite and PostgreSQL, defined once here, attached to the table for ``db.create_all()`` and
copied into migration 0007. One exception keeps account erasure possible: when a user row is
deleted, ``ON DELETE SET NULL`` may blank ``actor_id``, so an UPDATE naming ``actor_id`` alone and
setting it to NULL passes; any UPDATE naming another column, or giving ``actor_id`` a value, is
refused. (Deleted accounts are anonymised, not deleted, so this only concerns accounts purged
before they were ever confirmed, which never acted.) TRUNCATE is not refused: it needs the table
owner's rights, and the test suite empties every table with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sportressources.core.db import Base, utcnow

APPEND_ONLY_ERROR = "audit_entries_append_only"


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_target", "target_type", "target_id", "id"),
        Index("ix_audit_entries_actor", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who acted; None for the system (a scheduled job) or once the user row is gone.
    # By table name: core sits below accounts and never imports it.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # « <target_type>.<verb> », e.g. « listing.approve »
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int]
    before: Mapped[str | None] = mapped_column(String(40))
    after: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.target_id} {self.before}->{self.after}>"


# --- Append-only, down to the database ------------------------------------------------------------
# Every column but actor_id: an UPDATE that names any of them is refused. A test checks that this
# list follows the model, so that a column added later is frozen too.
FROZEN_COLUMNS = (
    "id",
    "occurred_at",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "reason",
    "details",
)
_FROZEN = ", ".join(f'"{name}"' for name in FROZEN_COLUMNS)

SQLITE_DDL = (
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_ERROR}'); END",
    f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OF {_FROZEN} ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_ERROR}'); END",
    "CREATE TRIGGER audit_entries_actor_only_cleared BEFORE UPDATE OF actor_id ON audit_entries "
    f"WHEN NEW.actor_id IS NOT NULL BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_ERROR}'); END",
)
# restrict_violation (23001) is an integrity error, as SQLite's RAISE(ABORT) is.
POSTGRESQL_DDL = (
    "CREATE OR REPLACE FUNCTION audit_entries_refuse_change() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"RAISE EXCEPTION '{APPEND_ONLY_ERROR}' USING ERRCODE = 'restrict_violation'; "
    "END $$",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()",
    f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OF {_FROZEN} ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()",
    "CREATE TRIGGER audit_entries_actor_only_cleared BEFORE UPDATE OF actor_id ON audit_entries "
    "FOR EACH ROW WHEN (NEW.actor_id IS NOT NULL) "
    "EXECUTE FUNCTION audit_entries_refuse_change()",
)
# Dropping the table drops its triggers; the PostgreSQL function outlives it otherwise.
POSTGRESQL_DROP = ("DROP FUNCTION IF EXISTS audit_entries_refuse_change()",)

for _statement in SQLITE_DDL:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_DDL:
    event.listen(
        AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
for _statement in POSTGRESQL_DROP:
    event.listen(
        AuditEntry.__table__, "after_drop", DDL(_statement).execute_if(dialect="postgresql")
    )


# --- Writing and reading --------------------------------------------------------------------------


def record_entry(
    action: str,
    target_type: str,
    target_id: int,
    *,
    actor=None,
    before: str | None = None,
    after: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
    session: Session | None = None,
) -> AuditEntry:
    """Add one audit row and flush it, in ``session`` (the app's by default); the caller's
    transaction commits it, or rolls it back with everything else.

    ``actor`` is a user (anything with an ``id``) or None for the system; ``details`` must be
    JSON-ready.
    """
    entry = AuditEntry(
        occurred_at=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        reason=reason or None,
        details=details or None,
    )
    session = session or _app_session()
    session.add(entry)
    session.flush()
    return entry


def entries_for(target_type: str, target_id: int) -> list[AuditEntry]:
    """The audit rows of one object, oldest first."""
    return list(
        _app_session().scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
            .order_by(AuditEntry.id)
        )
    )


def _app_session() -> Session:
    from sportressources.core.db import db

    return db.session()
