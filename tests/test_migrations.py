"""Migrations: one head, a full upgrade, a full downgrade and back, and no model change left out."""

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from sportressources import create_app
from sportressources.config import normalise_database_url
from sportressources.core.db import db
from tests.fixtures.database import PG_URL, base_overrides, pg_engine_options


@pytest.fixture
def empty_app(backend, tmp_path, worker_id):
    """An app on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        app = create_app(base_overrides(f"sqlite:///{tmp_path / 'migrations.db'}", tmp_path))
        with app.app_context():
            yield app
            db.engine.dispose()
        return
    schema = f"migrations_{worker_id}"
    url = normalise_database_url(PG_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = create_app(base_overrides(url, tmp_path, pg_engine_options(schema)))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def alembic_config():
    return current_app.extensions["migrate"].migrate.get_config()


def user_tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_there_is_a_single_head(empty_app):
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_upgrade_downgrade_upgrade_then_models_match(empty_app):
    config = alembic_config()
    command.upgrade(config, "head")
    created = user_tables()
    assert set(db.metadata.tables) <= created

    command.downgrade(config, "base")
    db.engine.dispose()
    assert user_tables() == set()

    command.upgrade(config, "head")
    db.engine.dispose()
    assert user_tables() == created
    command.check(config)  # raises if a model change has no migration


def test_home_communes_typed_before_the_territory_layer_survive_both_ways(empty_app):
    config = alembic_config()
    command.upgrade(config, "0001")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, display_name, password_hash, role, locale, "
                "session_token, home_commune) VALUES ('a@example.org', 'A', 'x', 'resident', 'fr', "
                "'token-a', 'Liévin')"
            )
        )
    command.upgrade(config, "0002")
    with db.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT home_commune_legacy FROM users")).scalar() == "Liévin"
        )
    command.downgrade(config, "0001")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT home_commune FROM users")).scalar() == "Liévin"
    db.engine.dispose()


def insert_user(connection, email: str, role: str) -> None:
    connection.execute(
        text(
            "INSERT INTO users (email, display_name, password_hash, role, locale, session_token) "
            "VALUES (:email, 'A', 'x', :role, 'fr', :email)"
        ),
        {"email": email, "role": role},
    )


def test_association_members_become_residents_and_the_role_is_gone(empty_app):
    config = alembic_config()
    before = ScriptDirectory.from_config(config).get_revision("0010").down_revision
    command.upgrade(config, before)
    with db.engine.begin() as connection:
        insert_user(connection, "club@example.org", "association_member")
        insert_user(connection, "modo@example.org", "moderator")

    command.upgrade(config, "0010")
    roles = "SELECT email, role FROM users ORDER BY email"
    with db.engine.connect() as connection:
        assert connection.execute(text(roles)).all() == [
            ("club@example.org", "resident"),
            ("modo@example.org", "moderator"),
        ]
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        insert_user(connection, "new-club@example.org", "association_member")

    command.downgrade(config, before)
    with db.engine.begin() as connection:
        assert connection.execute(text(roles)).all()[0] == ("club@example.org", "resident")
        insert_user(connection, "new-club@example.org", "association_member")
    db.engine.dispose()
