"""``flask backup`` and ``flask restore``: the database and every photo, in one directory.

A backup directory holds ``manifest.json`` (written last: a directory without it is incomplete),
the database (``database.sqlite3``, a copy made by SQLite's online backup API, or
``database.dump``, ``pg_dump``'s custom format of the application's schema) and ``photos/``, one
file per stored photo, sharded like the local disk. The database is dumped before the photos are
copied: a photo is deleted only once no row names it, so every photo a dumped row names is copied.

A restore goes into an empty database (``force`` replaces a filled one), checks every file
against the manifest's sha256 before writing anything, writes the photos into the configured
storage (disk or S3, whichever the backup came from) and checks that the restored database is at
the revision the manifest names.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from sportressources.core.db import db
from sportressources.core.storage import check_name, get_storage

MANIFEST = "manifest.json"
PHOTOS = "photos"
FORMAT = 1
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}


class BackupError(RuntimeError):
    """A backup or a restore that cannot go on; the message (French) says why and what to do."""


@dataclass
class RestoreReport:
    photos: int = 0
    revision: str | None = None
    notes: list[str] = field(default_factory=list)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def photo_path(root: Path, name: str) -> Path:
    return root / PHOTOS / name[:2] / check_name(name)


def database_kind(engine: Engine) -> str:
    kind = engine.dialect.name
    if kind not in DATABASE_FILES:
        raise BackupError(
            f"Base de données {kind} : seules SQLite et PostgreSQL sont prises en charge."
        )
    return kind


def alembic_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None without an ``alembic_version`` table."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def app_version() -> str:
    try:
        return importlib.metadata.version("sportressources")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} est introuvable dans le PATH : installez le client PostgreSQL (paquet "
            "postgresql-client, de la version du serveur ou plus récente)."
        )
    return path


def _pg_connection(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq address of ``engine``'s database, and an environment holding its password (never
    in the command line, which other users of the machine can read)."""
    url = engine.url
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None)
    return address.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} a échoué : {result.stderr.strip() or result.returncode}")
    return result.stdout


def _pg_schema(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT current_schema()"))


def _pg_extensions(engine: Engine) -> list[dict[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT e.extname, n.nspname FROM pg_extension e "
                "JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname <> 'plpgsql' ORDER BY e.extname"
            )
        )
        return [{"name": name, "schema": schema} for name, schema in rows]


def _dump_postgresql(engine: Engine, path: Path) -> dict[str, Any]:
    pg_dump = _pg_tool("pg_dump")
    schema = _pg_schema(engine)
    address, env = _pg_connection(engine)
    _run(
        [
            pg_dump,
            "--format=custom",
            f"--schema={schema}",
            "--no-owner",
            "--no-privileges",
            f"--file={path}",
            f"--dbname={address}",
        ],
        env,
        "pg_dump",
    )
    return {"schema": schema, "extensions": _pg_extensions(engine)}


def _restore_postgresql(engine: Engine, path: Path, database: dict[str, Any], force: bool) -> None:
    pg_restore = _pg_tool("pg_restore")
    schema = database["schema"]
    with engine.begin() as connection:
        # Extensions live outside the dumped schema (btree_gist in public): the restore needs them
        for extension in database.get("extensions", []):
            connection.execute(
                text(
                    f'CREATE EXTENSION IF NOT EXISTS "{extension["name"]}" '
                    f'WITH SCHEMA "{extension["schema"]}"'
                )
            )
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    address, env = _pg_connection(engine)
    # The schema exists now: restore what is in it, not the schema itself (nor its comment,
    # which only the schema's owner may set)
    entries = _run([pg_restore, "--list", str(path)], env, "pg_restore --list")
    kept = [
        line
        for line in entries.splitlines()
        if " SCHEMA - " not in line and " COMMENT - SCHEMA " not in line
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as listing:
        listing.write("\n".join(kept) + "\n")
    try:
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *(["--clean", "--if-exists"] if force else []),
                f"--use-list={listing.name}",
                f"--dbname={address}",
                str(path),
            ],
            env,
            "pg_restore",
        )
    finally:
        os.unlink(listing.name)


# --- SQLite --------------------------------------------------------------------------------------


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # The online backup API: a consistent copy even while other connections write
    source.backup(target)


def _dump_sqlite(engine: Engine, path: Path) -> dict[str, Any]:
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            _copy_sqlite(raw.driver_connection, target)
        finally:
            target.close()
    finally:
        raw.close()
    return {}


def _restore_sqlite(engine: Engine, path: Path) -> None:
    engine.dispose()
    raw = engine.raw_connection()
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _copy_sqlite(source, raw.driver_connection)
        finally:
            source.close()
    finally:
        raw.close()
    engine.dispose()


# --- backup --------------------------------------------------------------------------------------


def create_backup(destination: Path) -> dict[str, Any]:
    """Write a backup of the application's database and photos into ``destination`` (created,
    or empty) and return its manifest.

    Raises ``BackupError`` for a destination that holds files, an unsupported database, or a
    missing or failing ``pg_dump``.
    """
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(
            f"{destination} existe et n’est pas un dossier vide : choisissez-en un autre."
        )
    destination.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    kind = database_kind(engine)
    database_file = destination / DATABASE_FILES[kind]
    revision = alembic_revision(engine)
    if kind == "sqlite":
        details = _dump_sqlite(engine, database_file)
    else:
        details = _dump_postgresql(engine, database_file)
    photos = []
    storage = get_storage()
    for name in sorted(storage.names()):
        try:
            data = storage.read(name)
        except FileNotFoundError:
            continue  # deleted since the listing (an orphan purged): no row names it
        target = photo_path(destination, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        photos.append({"name": name, "sha256": sha256_of(data), "size": len(data)})
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": app_version(),
        "alembic_revision": revision,
        "database": {
            "kind": kind,
            "file": database_file.name,
            "sha256": file_sha256(database_file),
            **details,
        },
        "storage_backend": current_app.config.get("STORAGE_BACKEND", "local"),
        "photos": photos,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


# --- restore -------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            f"{path} est introuvable : ce dossier n’est pas une sauvegarde complète."
        ) from exc
    except ValueError as exc:
        raise BackupError(f"{path} n’est pas un manifeste lisible : {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format de sauvegarde {manifest.get('format')!r} inconnu.")
    return manifest


def _check_files(source: Path, manifest: dict[str, Any]) -> None:
    """Every file of the backup as the manifest describes it, before anything is written."""
    database = manifest["database"]
    if file_sha256(source / database["file"]) != database["sha256"]:
        raise BackupError(
            f"{database['file']} ne correspond pas au manifeste (sha256) : sauvegarde abîmée."
        )
    for photo in manifest["photos"]:
        path = photo_path(source, photo["name"])
        if not path.is_file():
            raise BackupError(f"La photo {photo['name']} manque dans la sauvegarde.")
        if path.stat().st_size != photo["size"] or file_sha256(path) != photo["sha256"]:
            raise BackupError(f"La photo {photo['name']} ne correspond pas au manifeste (sha256).")


def _existing_tables(engine: Engine, manifest: dict[str, Any]) -> list[str]:
    schema = manifest["database"].get("schema")
    with engine.connect() as connection:
        inspector = inspect(connection)
        if schema is not None and schema not in inspector.get_schema_names():
            return []
        return inspector.get_table_names(schema=schema)


def restore_backup(source: Path, *, force: bool = False) -> RestoreReport:
    """Restore the backup in ``source`` into the application's database and storage.

    Refuses (``BackupError``) a database of another kind than the backup's, a database that has
    tables unless ``force``, and any file whose sha256 differs from the manifest; checks each
    photo once stored and the database's revision once restored.
    """
    source = Path(source)
    manifest = read_manifest(source)
    engine = db.engine
    kind = database_kind(engine)
    database = manifest["database"]
    if database["kind"] != kind:
        raise BackupError(
            f"La sauvegarde vient d’une base {database['kind']}, la base configurée est {kind} : "
            "restaurez dans une base du même type."
        )
    _check_files(source, manifest)
    tables = _existing_tables(engine, manifest)
    if tables and not force:
        shown = ", ".join(sorted(tables)[:5]) + ("…" if len(tables) > 5 else "")
        raise BackupError(
            f"La base de données contient déjà {len(tables)} table(s) ({shown}) : restaurez dans "
            "une base vide, ou ajoutez --force pour la remplacer par la sauvegarde."
        )
    db.session.remove()
    if kind == "sqlite":
        _restore_sqlite(engine, source / database["file"])
    else:
        _restore_postgresql(engine, source / database["file"], database, force)
        engine.dispose()
    report = RestoreReport()
    storage = get_storage()
    for photo in manifest["photos"]:
        data = photo_path(source, photo["name"]).read_bytes()
        storage.save(photo["name"], data, "image/jpeg")
        if sha256_of(storage.read(photo["name"])) != photo["sha256"]:
            raise BackupError(
                f"La photo {photo['name']} relue du stockage diffère de la sauvegarde."
            )
        report.photos += 1
    report.revision = alembic_revision(engine)
    if report.revision != manifest["alembic_revision"]:
        raise BackupError(
            f"La base restaurée est à la révision {report.revision}, le manifeste annonce "
            f"{manifest['alembic_revision']} : la restauration est incomplète."
        )
    heads = _code_heads()
    if heads and report.revision not in heads:
        report.notes.append(
            f"La base est à la révision {report.revision}, le code attend {', '.join(heads)} : "
            "lancez « flask db upgrade » avant d’ouvrir le site."
        )
    return report


def _code_heads() -> list[str]:
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    return list(ScriptDirectory(directory).get_heads())
