"""The audit log is append-only down to the database, on both backends, whether the schema comes
from the models or from the migrations; erasing a user only blanks their id in it."""

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from sportressources import create_app
from sportressources.accounts.personal_data import purge_unconfirmed_accounts
from sportressources.config import normalise_database_url
from sportressources.core.audit import FROZEN_COLUMNS, AuditEntry, entries_for, record_entry
from sportressources.core.db import db
from tests.factories import make_user
from tests.fixtures.database import PG_URL, base_overrides, pg_engine_options

REFUSED_CHANGES = [
    "UPDATE audit_entries SET reason = 'effacé'",
    "UPDATE audit_entries SET after = 'published'",
    "UPDATE audit_entries SET actor_id = actor_id",
    "DELETE FROM audit_entries",
]


def refuses(connectable, statement: str) -> bool:
    try:
        with connectable.begin() as connection:
            connection.execute(text(statement))
    except IntegrityError as error:
        return "audit_entries_append_only" in str(error.orig)
    return False


def stored_rows(connectable) -> list[tuple]:
    with connectable.connect() as connection:
        return connection.execute(
            text("SELECT id, actor_id, action, before, after, reason FROM audit_entries")
        ).all()


@pytest.mark.parametrize("statement", REFUSED_CHANGES)
def test_the_database_refuses_to_change_or_delete_an_audit_row(app, moderator, statement):
    record_entry(
        "listing.reject", "listing", 7, actor=moderator, before="awaiting_review", after="rejected"
    )
    db.session.commit()
    before = stored_rows(db.engine)

    assert refuses(db.engine, statement)
    assert stored_rows(db.engine) == before


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_the_orm_cannot_change_or_delete_an_audit_row_either(app, admin, change):
    entry = record_entry(
        "user.role_change", "user", 5, actor=admin, before="resident", after="moderator"
    )
    db.session.commit()
    before = stored_rows(db.engine)

    if change == "edit":
        entry.after = "admin"
    else:
        db.session.delete(entry)
    with pytest.raises(IntegrityError, match="audit_entries_append_only"):
        db.session.flush()
    db.session.rollback()
    assert stored_rows(db.engine) == before


def test_erasing_a_user_keeps_their_audit_rows_without_their_id(app):
    never_confirmed = make_user(confirmed=False)
    record_entry("listing.withdraw", "listing", 3, actor=never_confirmed, reason="Plus besoin")
    db.session.commit()

    assert purge_unconfirmed_accounts(timedelta(0)) == 1
    db.session.commit()
    db.session.expire_all()

    [entry] = entries_for("listing", 3)
    assert (entry.action, entry.actor_id, entry.reason) == ("listing.withdraw", None, "Plus besoin")


def test_the_triggers_freeze_every_column_but_the_actor():
    assert set(FROZEN_COLUMNS) == set(AuditEntry.__table__.columns.keys()) - {"actor_id"}


@pytest.fixture
def migrated_app(backend, tmp_path, worker_id):
    """An app on an empty database, for the migrations to build: a new SQLite file or schema."""
    if backend == "sqlite":
        app = create_app(base_overrides(f"sqlite:///{tmp_path / 'audit.db'}", tmp_path))
        with app.app_context():
            yield app
            db.engine.dispose()
        return
    schema = f"audit_{worker_id}"
    admin = create_engine(normalise_database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = create_app(
        base_overrides(normalise_database_url(PG_URL), tmp_path, pg_engine_options(schema))
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def test_the_migrations_make_the_audit_log_append_only_and_take_it_all_back(migrated_app):
    config = migrated_app.extensions["migrate"].migrate.get_config()
    command.upgrade(config, "head")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, public_id, email, display_name, password_hash, role, "
                "locale, session_token) "
                "VALUES (1, 'a', 'a@example.org', 'A', 'x', 'resident', 'fr', 'token-a')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_entries (occurred_at, actor_id, action, target_type, target_id) "
                "VALUES (CURRENT_TIMESTAMP, 1, 'loan.cancel', 'loan', 4)"
            )
        )

    assert all(refuses(db.engine, statement) for statement in REFUSED_CHANGES)
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM users"))
    assert [row[1:3] for row in stored_rows(db.engine)] == [(None, "loan.cancel")]

    command.downgrade(config, "0006")
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            leftovers = "SELECT name FROM sqlite_master WHERE name LIKE 'audit_entries%'"
        else:
            leftovers = (
                "SELECT proname FROM pg_proc WHERE proname = 'audit_entries_refuse_change' "
                "AND pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
            )
        assert connection.execute(text(leftovers)).all() == []
