"""``flask backup`` then ``flask restore`` into a fresh database reproduces every row of every table
and every photo, byte for byte, on SQLite and on PostgreSQL, from the disk and into S3."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from sportressources import create_app
from sportressources.core.db import db
from sportressources.core.storage import get_storage
from sportressources.listings.models import ListingPhoto
from tests.factories import make_listing, make_user
from tests.fixtures.database import base_overrides
from tests.listings.helpers import stored_photo


def add_listing_with_photos(title: str = "Raquette de badminton légère") -> None:
    listing = make_listing(title=title)
    for position, colour in enumerate([(200, 30, 30), (30, 30, 200)]):
        key = stored_photo(colour)
        db.session.add(
            ListingPhoto(listing_id=listing.id, position=position, key=key, width=64, height=48)
        )
    db.session.commit()


@pytest.fixture
def demo(app, outbox):
    """The demo data of ``make run`` (members, listings, loans, drives, events, messages...) and
    a listing with two photos of its own: rows in many tables."""
    result = app.test_cli_runner().invoke(args=["data", "init", "--demo"])
    assert result.exit_code == 0, result.output
    add_listing_with_photos()
    return app


@pytest.fixture
def filled(app):
    """Two listings with two photos each: enough where the demo's breadth adds nothing."""
    add_listing_with_photos()
    add_listing_with_photos("Ballon de handball taille 2")
    return app


@pytest.fixture
def fresh_database(backend, database, tmp_path):
    """The address and engine options of a new, empty database of the same kind as ``app``'s:
    a new SQLite file, or a new PostgreSQL database (dropped after) whose search path names the
    schema the test's own database uses."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}", {}
        return
    url, options = database
    name = f"restore_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(url).set(database=name).render_as_string(hide_password=False), options
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def target(fresh_database, tmp_path):
    """An application on the fresh database, with storage of its own; ``target(overrides)``."""
    url, options = fresh_database
    made = []

    def build(overrides: dict | None = None):
        application = create_app(
            {**base_overrides(url, tmp_path / "target", options), **(overrides or {})}
        )
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def run(application, *args: str):
    """``flask ARGS`` on ``application`` (the command would run on the test's app otherwise)."""
    with application.app_context():
        return application.test_cli_runner().invoke(args=list(args))


def rows_of_every_table(application) -> dict[str, list[tuple]]:
    """Every row of every table the database holds (found by reflection), in a stable order."""
    with application.app_context():
        engine = create_engine(
            application.config["SQLALCHEMY_DATABASE_URI"],
            **application.config["SQLALCHEMY_ENGINE_OPTIONS"],
        )
    try:
        metadata = MetaData()
        metadata.reflect(bind=engine)
        with engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def photos_of(application) -> dict[str, bytes]:
    with application.app_context():
        storage = get_storage()
        return {name: storage.read(name) for name in storage.names()}


def test_backup_then_restore_reproduces_every_row_and_photo(demo, target, tmp_path, backend):
    destination = tmp_path / "backup"

    saved = run(demo, "backup", str(destination))

    assert saved.exit_code == 0, saved.output
    assert f"Sauvegarde écrite dans {destination}" in saved.output
    manifest = json.loads((destination / "manifest.json").read_text())
    source_rows, source_photos = rows_of_every_table(demo), photos_of(demo)
    assert manifest["database"]["kind"] == backend
    assert manifest["alembic_revision"] == db.session.scalar(
        text("SELECT version_num FROM alembic_version")
    )
    assert manifest["created_at"] and manifest["app_version"]
    assert {photo["name"] for photo in manifest["photos"]} == set(source_photos)
    assert all(photo["size"] == len(source_photos[photo["name"]]) for photo in manifest["photos"])
    assert len(source_photos) >= 6
    assert set(db.metadata.tables) <= set(source_rows)
    assert sum(1 for rows in source_rows.values() if rows) >= 20  # demo rows in many tables

    restored = target()
    result = run(restored, "restore", str(destination))

    assert result.exit_code == 0, result.output
    assert f"{len(source_photos)} photo(s) vérifiée(s)" in result.output
    assert rows_of_every_table(restored) == source_rows
    assert photos_of(restored) == source_photos
    with restored.app_context():  # sequences follow: the next row takes a new id
        assert make_user(email="apres-restauration@example.org").id > max(
            row[0] for row in source_rows["users"]
        )


def test_a_backup_from_disk_restores_into_an_s3_bucket_and_back(
    filled, target, tmp_path, s3_config
):
    destination = tmp_path / "backup"
    assert run(filled, "backup", str(destination)).exit_code == 0

    restored = target(s3_config)
    result = run(restored, "restore", str(destination))

    assert result.exit_code == 0, result.output
    assert len(photos_of(filled)) == 12  # two listings, two photos, three sizes
    assert photos_of(restored) == photos_of(filled)
    assert rows_of_every_table(restored) == rows_of_every_table(filled)
    with restored.app_context():
        assert get_storage().bucket == s3_config["S3_BUCKET"]
    # and back: a backup of the bucket holds the same photos
    again = tmp_path / "from-s3"
    assert run(restored, "backup", str(again)).exit_code == 0
    first, second = (
        json.loads((path / "manifest.json").read_text()) for path in (destination, again)
    )
    assert second["storage_backend"] == "s3"
    assert second["photos"] == first["photos"]


def test_restore_refuses_a_database_with_tables_unless_forced(filled, target, tmp_path):
    destination = tmp_path / "backup"
    assert run(filled, "backup", str(destination)).exit_code == 0
    restored = target()
    assert run(restored, "restore", str(destination)).exit_code == 0
    with restored.app_context():
        make_user(email="ajoute-apres@example.org")

    refused = run(restored, "restore", str(destination))
    forced = run(restored, "restore", "--force", str(destination))

    assert refused.exit_code == 1
    assert "La base de données contient déjà" in refused.output
    assert "ajoutez --force" in refused.output
    assert forced.exit_code == 0, forced.output
    assert rows_of_every_table(restored) == rows_of_every_table(filled)


def test_a_damaged_photo_is_refused_before_anything_is_restored(filled, target, tmp_path):
    destination = tmp_path / "backup"
    assert run(filled, "backup", str(destination)).exit_code == 0
    manifest = json.loads((destination / "manifest.json").read_text())
    damaged = manifest["photos"][0]["name"]
    path = destination / "photos" / damaged[:2] / damaged
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    restored = target()

    result = run(restored, "restore", str(destination))

    assert result.exit_code == 1
    assert f"La photo {damaged} ne correspond pas au manifeste" in result.output
    assert rows_of_every_table(restored) == {}
    assert photos_of(restored) == {}


def test_an_incomplete_backup_is_refused(app, target, tmp_path):
    (tmp_path / "partial").mkdir()

    result = run(target(), "restore", str(tmp_path / "partial"))

    assert result.exit_code == 1
    assert "n’est pas une sauvegarde complète" in result.output


def test_backup_refuses_a_directory_that_holds_files(app, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("à garder")

    result = run(app, "backup", str(tmp_path / "used"))

    assert result.exit_code == 1
    assert "n’est pas un dossier vide" in result.output
    assert (tmp_path / "used" / "notes.txt").read_text() == "à garder"


def test_only_postgresql_needs_pg_dump(app, tmp_path, backend, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    result = run(app, "backup", str(tmp_path / "backup"))

    if backend == "sqlite":
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert "pg_dump est introuvable" in result.output
        assert not (tmp_path / "backup" / "manifest.json").exists()
