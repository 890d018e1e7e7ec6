"""Migrations: one head, a full upgrade, a full downgrade and back, and no model change left out."""

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import create_engine, inspect, text

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


RATINGS_BEFORE = [
    # table, the handover's column, its id, rater, ratee, score, comment
    ("ratings", "exchange_id", 1, 2, 1, 4, "Bien"),
    ("loan_ratings", "loan_id", 1, 1, 2, 5, "Ponctuel"),
]


def _seed_a_rated_exchange_and_a_rated_loan(connection) -> None:
    """Two members, a gift given and a bike lent, each rated once, in the tables of 0007."""
    statements = [
        "INSERT INTO zones (id, slug, name, short_name, kind) VALUES (1, 'z', 'Z', 'Z', 'pole')",
        "INSERT INTO communes (insee, name, slug, postal_codes, zone_id, latitude, longitude) "
        "VALUES ('62498', 'Lens', 'lens', '62300', 1, 50.43, 2.83)",
        *(
            "INSERT INTO users (id, email, display_name, password_hash, role, locale, "
            f"session_token) VALUES ({n}, 'm{n}@example.org', 'M{n}', 'x', 'resident', 'fr', "
            f"'token-{n}')"
            for n in (1, 2)
        ),
        *(
            "INSERT INTO listings (id, kind, title, description, sport, category, size, "
            "age_group, condition, brand, commune_insee, latitude, longitude, owner_id, status, "
            f"photo_count, review_note) VALUES ({n}, '{kind}', 'T', '', 'velo', 'velos', '', "
            "'child', 'good', '', '62498', 50.43, 2.83, 1, 'published', 0, '')"
            for n, kind in ((1, "gift"), (2, "loan"))
        ),
        "INSERT INTO exchange_requests (id, listing_id, requester_id, message, status, "
        "created_at) VALUES (1, 1, 2, '', 'completed', '2026-01-02 10:00:00')",
        "INSERT INTO loans (id, listing_id, borrower_id, lender_id, status, start_date, "
        "end_date, message, reason, requested_at, extension_message, extensions_count) "
        "VALUES (1, 2, 2, 1, 'returned', '2026-01-03', '2026-01-04', '', '', "
        "'2026-01-01 10:00:00', '', 0)",
        *(
            f"INSERT INTO {table} ({column}, rater_id, ratee_id, score, comment, created_at) "
            f"VALUES ({target}, {rater}, {ratee}, {score}, '{comment}', '2026-01-05 10:00:00')"
            for table, column, target, rater, ratee, score, comment in RATINGS_BEFORE
        ),
    ]
    for statement in statements:
        connection.execute(text(statement))


def test_ratings_of_exchanges_and_loans_move_to_the_one_table_and_back(empty_app):
    config = alembic_config()
    before = ScriptDirectory.from_config(config).get_revision("0009").down_revision
    command.upgrade(config, before)
    with db.engine.begin() as connection:
        _seed_a_rated_exchange_and_a_rated_loan(connection)

    command.upgrade(config, "0009")
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT kind, exchange_request_id, loan_id, rater_id, ratee_id, score, comment "
                "FROM trade_ratings ORDER BY id"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("exchange", 1, None, 2, 1, 4, "Bien"),
        ("loan", None, 1, 1, 2, 5, "Ponctuel"),
    ]
    assert not {"ratings", "loan_ratings"} & user_tables()

    command.downgrade(config, before)
    with db.engine.connect() as connection:
        for table, column, target, rater, ratee, score, comment in RATINGS_BEFORE:
            rows = connection.execute(
                text(f"SELECT {column}, rater_id, ratee_id, score, comment FROM {table}")
            ).all()
            assert [tuple(row) for row in rows] == [(target, rater, ratee, score, comment)]
    assert "trade_ratings" not in user_tables()
    db.engine.dispose()
