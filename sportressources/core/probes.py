"""Is each outside service there? Small probes shared by ``/readyz`` and ``flask doctor``.

Each probe raises on failure (an ``OSError``, a driver's error, ``ProbeFailed``) and returns a
short account on success; callers turn exceptions into words.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from sportressources.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
TIMEOUT = 3  # seconds: a probe answers fast or counts as down


class ProbeFailed(Exception):
    """The service answered, but not as it should; the message says how."""


def redacted(url: str) -> str:
    """``url`` without its password, fit for a log line or the doctor's output."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def is_redis_url(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "unix://"))


def ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


def ping_broker(url: str) -> None:
    """A Redis broker answers PING; any other (AMQP...) accepts a connection."""
    if is_redis_url(url):
        ping_redis(url)
        return
    from kombu import Connection

    with Connection(url, connect_timeout=TIMEOUT) as connection:
        connection.ensure_connection(max_retries=1, timeout=TIMEOUT)


def script_heads() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def pending_migrations(engine: Engine, heads: set[str] | None = None) -> list[str]:
    """Revisions the database lacks, newest first (all of them for an empty database)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    applied: set[str] = set()
    for revision in current:
        applied.update(r.revision for r in script.iterate_revisions(revision, "base"))
    return [
        r.revision
        for r in script.iterate_revisions(heads or "heads", "base")
        if r.revision not in applied
    ]


def at_head(engine: Engine, heads: set[str]) -> bool:
    """Cheap: the revisions recorded in the database are exactly the script's heads."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def local_dir_writable(directory: Path) -> bool:
    """``directory`` is writable, or does not exist yet and its nearest existing parent is."""
    path = Path(directory)
    while not path.exists():
        if path.parent == path:
            return False
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def probe_name() -> str:
    return f"zz-probe-{secrets.token_hex(8)}.jpg"


def round_trip(storage: Any) -> None:
    """Write, read back and delete a small file in ``storage`` (any backend)."""
    name = probe_name()
    data = secrets.token_bytes(32)
    storage.save(name, data, "image/jpeg")
    try:
        if storage.read(name) != data:
            raise ProbeFailed("le fichier relu diffère du fichier écrit")
    finally:
        storage.delete(name)
    if storage.exists(name):
        raise ProbeFailed("le fichier d’essai n’a pas pu être supprimé")


def storage_reachable(storage: Any, config: Mapping[str, Any]) -> None:
    """Cheap readiness: local disk writable; an object store answers one lookup."""
    if config.get("STORAGE_BACKEND", "local") == "local":
        if not local_dir_writable(Path(config["UPLOAD_DIR"])):
            raise ProbeFailed(f"{config['UPLOAD_DIR']} n’est pas un dossier accessible en écriture")
        return
    storage.exists(probe_name())


def outbox_dir_writable(directory: Path) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    probe = directory / f".probe-{secrets.token_hex(4)}"
    probe.write_bytes(b"")
    probe.unlink()


def readiness() -> dict[str, str]:
    """``/readyz``: each part ``ok``, ``error`` or ``not configured``, cheaply (no heavy query).

    The database answers and its migrations are at the head the code expects, Redis (rate
    limits) and the broker answer when configured, the photo storage can be reached.
    """
    import logging

    from flask import current_app

    from sportressources.core.db import db
    from sportressources.core.storage import get_storage

    config = current_app.config
    heads = current_app.extensions.get("sportressources.migration_heads")
    if heads is None:
        heads = current_app.extensions["sportressources.migration_heads"] = script_heads()

    def migrations() -> None:
        if not at_head(db.engine, heads):
            raise ProbeFailed("the database is not at the migrations' head")

    checks: dict[str, Any] = {
        "database": lambda: db.engine.connect().close(),
        "migrations": migrations,
        "redis": (
            (lambda: ping_redis(config["RATELIMIT_STORAGE_URI"]))
            if is_redis_url(config["RATELIMIT_STORAGE_URI"])
            else None
        ),
        "broker": (
            (lambda: ping_broker(config["TASKS_BROKER_URL"]))
            if config.get("TASKS_BROKER_URL")
            else None
        ),
        "storage": lambda: storage_reachable(get_storage(), config),
    }
    results: dict[str, str] = {}
    for name, probe in checks.items():
        if probe is None:
            results[name] = "not configured"
            continue
        if name == "migrations" and results["database"] != "ok":
            results[name] = "error"
            continue
        try:
            probe()
        except Exception as error:  # any failure means « not ready »
            logging.getLogger(__name__).warning(
                "readiness: %s failed: %s", name, type(error).__name__
            )
            results[name] = "error"
        else:
            results[name] = "ok"
    return results
