"""Migrations, on both backends: pytest-alembic's checks (one head, every revision up, down and up
again, models matching what the migrations build), what it does not check (a downgrade to base
leaves nothing behind, data kept across a revision), and that the test database is theirs."""

import os

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from pytest_alembic import runner
from pytest_alembic import tests as checks
from pytest_alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from sportressources import create_app
from sportressources.config import normalise_database_url
from sportressources.extensions import db
from tests.fixtures.database import PG_URL, base_overrides, pg_engine_options

# pytest-alembic's own tests, run here on each backend through the ``alembic_runner`` below
test_single_head_revision = checks.test_single_head_revision
test_up_down_consistency = checks.test_up_down_consistency
test_model_definitions_match_ddl = checks.test_model_definitions_match_ddl


@pytest.fixture
def empty_app(backend, tmp_path, worker_id):
    """An app on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        app = create_app(base_overrides(f"sqlite:///{tmp_path / 'migrations.db'}", tmp_path))
        with app.app_context():
            yield app
            db.engine.dispose()
        return
    # One schema per process: two test runs on one server (or xdist workers) never collide
    schema = f"migrations_{worker_id}_{os.getpid()}"
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


@pytest.fixture
def alembic_runner(empty_app):
    """pytest-alembic's runner on the app's migrations and engine (search_path included)."""
    config = Config.from_raw_config(current_app.extensions["migrate"].migrate.get_config())
    with runner(config=config, engine=db.engine) as context:
        yield context


def user_tables() -> set[str]:
    db.engine.dispose()  # a new connection sees the schema as it is now
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_downgrade_to_base_leaves_no_table_behind(alembic_runner):
    alembic_runner.migrate_up_to("heads")
    created = user_tables()
    assert set(db.metadata.tables) <= created

    alembic_runner.migrate_down_to("base")
    assert user_tables() == set()

    alembic_runner.migrate_up_to("heads")
    assert user_tables() == created


def test_home_communes_typed_before_the_territory_layer_survive_both_ways(alembic_runner):
    alembic_runner.migrate_up_to("0001")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, display_name, password_hash, role, locale, "
                "session_token, home_commune) VALUES ('a@example.org', 'A', 'x', 'resident', 'fr', "
                "'token-a', 'Liévin')"
            )
        )
    alembic_runner.migrate_up_to("0002")
    with db.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT home_commune_legacy FROM users")).scalar() == "Liévin"
        )
    alembic_runner.migrate_down_to("0001")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT home_commune FROM users")).scalar() == "Liévin"


# --- the test database is the one the migrations build ----------------------------------------


def test_the_test_database_is_migrated_to_head_in_a_schema_of_its_own(app, backend):
    head = ScriptDirectory.from_config(
        current_app.extensions["migrate"].migrate.get_config()
    ).get_current_head()
    assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
    if backend == "postgresql":
        schema = db.session.scalar(text("SELECT current_schema()"))
        assert schema.startswith("test_")
        in_schema = set(
            db.session.scalars(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            )
        )
        assert {"alembic_version", *db.metadata.tables} <= in_schema
        in_public = db.session.scalars(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        ).all()
        # alembic would find a version table there through search_path and skip our schema
        assert in_public == [], "tables in « public » of the test database shadow the migrations"
