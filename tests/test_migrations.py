"""Migrations, on both backends: pytest-alembic's checks (one head, every revision up, down and up
again, models matching what the migrations build), what it does not check (a downgrade to base
leaves nothing behind, data kept across a revision), and the guarantees that only the
migrations give the database: the test database is theirs, and it refuses double bookings."""

import os

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import current_app
from pytest_alembic import runner
from pytest_alembic import tests as checks
from pytest_alembic.config import Config
from sqlalchemy import Date, bindparam, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from sportressources import create_app
from sportressources.config import normalise_database_url
from sportressources.core.db import db
from sportressources.trade.loans import services, terms
from tests.factories import make_user
from tests.fixtures.database import PG_URL, base_overrides, pg_engine_options
from tests.trade.loans.conftest import NOW, committed, day, make_loan_listing

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


def alembic_config():
    return current_app.extensions["migrate"].migrate.get_config()


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


INSERT_BOOKING = text(
    "INSERT INTO loan_bookings (loan_id, listing_id, start_date, end_date) "
    "VALUES (:loan, :listing, :start, :end)"
).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
MOVE_BOOKING = text(
    "UPDATE loan_bookings SET start_date = :start WHERE loan_id = :loan"
).bindparams(bindparam("start", type_=Date))


def test_the_migrated_database_refuses_overlapping_bookings_of_one_listing(app):
    """SQLite's triggers and PostgreSQL's exclusion constraint, both made by migration 0006."""
    owner, borrower, rival = make_user(), make_user(), make_user()
    bike, other = make_loan_listing(owner), make_loan_listing(owner, title="Autre vélo")
    committed(terms.set_terms(owner, bike, 1, 7, None))
    first = committed(services.request_loan(borrower, bike, day(1), day(3), now=NOW))
    second = committed(services.request_loan(rival, bike, day(5), day(6), now=NOW))

    def run(statement, **values) -> None:
        with db.engine.begin() as connection:
            connection.execute(statement, values)

    run(INSERT_BOOKING, loan=first.id, listing=bike.id, start=day(1), end=day(3))
    with pytest.raises(IntegrityError, match="ex_loan_bookings_no_overlap"):
        run(INSERT_BOOKING, loan=second.id, listing=bike.id, start=day(3), end=day(4))
    # Moving a booking onto another is refused the same way
    run(INSERT_BOOKING, loan=second.id, listing=bike.id, start=day(5), end=day(6))
    with pytest.raises(IntegrityError, match="ex_loan_bookings_no_overlap"):
        run(MOVE_BOOKING, loan=second.id, start=day(2))
    # Adjacent days and another listing on the same days are fine
    run(MOVE_BOOKING, loan=second.id, start=day(4))
    run(INSERT_BOOKING, loan=second.id, listing=other.id, start=day(1), end=day(3))

    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT loan_id, listing_id, start_date FROM loan_bookings ORDER BY id")
        ).all()
    assert [(loan, listing, str(start)) for loan, listing, start in rows] == [
        (first.id, bike.id, str(day(1))),
        (second.id, bike.id, str(day(4))),
        (second.id, other.id, str(day(1))),
    ]


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


def test_migration_gives_existing_members_distinct_public_ids(empty_app):
    config = alembic_config()
    command.upgrade(config, "0013")
    with db.engine.begin() as connection:
        for n in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO users (email, display_name, password_hash, role, locale, "
                    "session_token) VALUES (:e, 'A', 'x', 'resident', 'fr', :e)"
                ),
                {"e": f"m{n}@example.org"},
            )
    command.upgrade(config, "0014_member_public_ids")
    with db.engine.connect() as connection:
        ids = connection.execute(text("SELECT public_id FROM users")).scalars().all()
    assert len(ids) == 3 and len(set(ids)) == 3 and all(len(i) >= 12 for i in ids)

    command.downgrade(config, "0013")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT email FROM users")).scalars().all()
    db.engine.dispose()
