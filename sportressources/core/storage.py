"""Where uploaded files live: a small interface, and the local-disk backend behind it.

Code that stores or serves files calls ``get_storage()`` and the ``Storage`` methods only, so that
an object store replaces the disk by one entry of ``BACKENDS``: ``STORAGE_BACKEND=s3`` selects the
bucket of ``core.storage_s3``, shared by every app server.
Names are flat and strict (``[a-z0-9-]`` then ``.jpg``): no name can reach outside the storage.

A file that goes with a database row is written with the transaction: ``save_after_commit``
stages it (written in full, where no reader finds it) and publishes it under its name once the
session commits; a rollback, or a session closed without a commit, discards it. So a failure of
any kind after an upload (a refusal, a constraint, a crash) leaves neither row nor file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from sportressources.config import ConfigurationError
from sportressources.core.db import db
from sportressources.core.storage_names import (
    HANDLE_PATTERN,
    NAME_PATTERN,
    PREFIX_PATTERN,
    InvalidName,
    check_name,
    is_valid_name,
)

__all__ = [
    "BACKENDS",
    "HANDLE_PATTERN",
    "NAME_PATTERN",
    "PREFIX_PATTERN",
    "InvalidName",
    "LocalStorage",
    "Storage",
    "check_name",
    "get_storage",
    "is_valid_name",
    "read_in_transaction",
    "save_after_commit",
]

log = logging.getLogger(__name__)

_EXTENSION_KEY = "sportressources.storage"
_STAGED = "sportressources.storage.staged"


class Storage(Protocol):
    """What the application needs from a file store.

    Every method raises ``InvalidName`` for a name ``is_valid_name`` refuses; ``read`` and
    ``modified_at`` raise ``FileNotFoundError`` for a name not stored.
    """

    def save(self, name: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``name`` at once: readers see the old content or the new, never
        part of it."""
        ...

    def read(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None:
        """Remove ``name``; nothing happens if it is not stored."""
        ...

    def exists(self, name: str) -> bool: ...

    def names(self, prefix: str = "") -> Iterator[str]:
        """Every stored name starting with ``prefix``, in no promised order."""
        ...

    def modified_at(self, name: str) -> datetime:
        """When ``name`` was last written, as an aware UTC datetime."""
        ...

    def stage(self, data: bytes, content_type: str) -> str:
        """Write ``data`` in full where no reader finds it (not under any name, not in
        ``names``), and return a handle for ``publish`` or ``discard``."""
        ...

    def publish(self, handle: str, name: str) -> None:
        """Put the staged file ``handle`` in place as ``name`` at once, replacing any file of
        that name. Raises ``FileNotFoundError`` if it was discarded."""
        ...

    def discard(self, handle: str) -> None:
        """Remove the staged file ``handle``; nothing happens if it is gone."""
        ...

    def discard_staged_before(self, moment: datetime) -> int:
        """Remove the staged files written before ``moment`` (left by a process that died
        before its transaction ended); return how many."""
        ...


class LocalStorage:
    """Files on the local disk under ``root``, sharded by the first two characters of the name
    (``root/ab/abcdef.jpg``) so that no directory grows past a few thousand entries."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, name: str) -> Path:
        """The file that holds ``name`` (it may not exist); raises ``InvalidName``."""
        check_name(name)
        return self.root / name[:2] / name

    def save(self, name: str, data: bytes, content_type: str) -> None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Same directory as the target, so that os.replace is an atomic rename on one filesystem.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            # mkstemp creates 0600; photos are public, and a web server may serve them directly.
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def names(self, prefix: str = "") -> Iterator[str]:
        if not PREFIX_PATTERN.fullmatch(prefix):
            raise InvalidName(f"invalid storage prefix: {prefix!r}")
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if len(shard.name) != 2 or not shard.is_dir():
                continue
            if not shard.name.startswith(prefix[:2]):
                continue
            for entry in sorted(shard.iterdir()):
                name = entry.name
                # Skips the temporary files of writes in progress (".…tmp") and anything foreign.
                if (
                    name.startswith(prefix)
                    and name[:2] == shard.name
                    and is_valid_name(name)
                    and entry.is_file()
                ):
                    yield name

    def modified_at(self, name: str) -> datetime:
        return datetime.fromtimestamp(self.path(name).stat().st_mtime, UTC)

    # Staged files sit in ``root/.staging``: on the same filesystem as their target, so that
    # publishing is an atomic rename, and outside every shard, so that no name reaches them.

    def _staged(self, handle: str) -> Path:
        if not isinstance(handle, str) or not HANDLE_PATTERN.fullmatch(handle):
            raise InvalidName(f"invalid staging handle: {handle!r}")
        return self.root / ".staging" / f"{handle}.tmp"

    def stage(self, data: bytes, content_type: str) -> str:
        handle = secrets.token_hex(16)
        path = self._staged(handle)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(path, 0o644)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return handle

    def publish(self, handle: str, name: str) -> None:
        source, target = self._staged(handle), self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)

    def discard(self, handle: str) -> None:
        self._staged(handle).unlink(missing_ok=True)

    def discard_staged_before(self, moment: datetime) -> int:
        directory = self.root / ".staging"
        if not directory.is_dir():
            return 0
        count = 0
        for entry in directory.iterdir():
            handle = entry.name.removesuffix(".tmp")
            if not HANDLE_PATTERN.fullmatch(handle) or entry.name == handle:
                continue
            with contextlib.suppress(FileNotFoundError):
                if datetime.fromtimestamp(entry.stat().st_mtime, UTC) < moment:
                    entry.unlink()
                    count += 1
        return count


def _s3_storage(config: Mapping[str, Any]) -> Storage:
    from sportressources.core.storage_s3 import S3Storage  # boto3 loads only when S3 is used

    return S3Storage.from_config(config)


# STORAGE_BACKEND value -> factory taking the app's config
BACKENDS: dict[str, Callable[[Mapping[str, Any]], Storage]] = {
    "local": lambda config: LocalStorage(Path(config["UPLOAD_DIR"])),
    "s3": _s3_storage,
}


def get_storage() -> Storage:
    """The current application's storage, built on first use from ``STORAGE_BACKEND`` (default
    ``"local"``: ``UPLOAD_DIR`` on disk).

    Nothing is written until a file is saved. Raises ``ConfigurationError`` for an unknown backend
    and, with ``s3``, for a bucket that does not exist or refuses the keys (the message names the
    bucket); ``storage_s3.StorageUnavailable`` if the object store does not answer. A failed call
    builds nothing: the next one tries again.
    """
    storage = current_app.extensions.get(_EXTENSION_KEY)
    if storage is None:
        backend = current_app.config.get("STORAGE_BACKEND", "local")
        if backend not in BACKENDS:
            raise ConfigurationError(
                f"STORAGE_BACKEND must be one of {sorted(BACKENDS)}, not {backend!r}"
            )
        storage = BACKENDS[backend](current_app.config)
        current_app.extensions[_EXTENSION_KEY] = storage
    return storage


# --- files written with the transaction ----------------------------------------------------------


class _Staged(NamedTuple):
    storage: Storage
    handle: str
    data: bytes  # kept for read_in_transaction: the transaction reads its own writes


def save_after_commit(
    name: str, data: bytes, content_type: str, *, session: Session | None = None
) -> None:
    """Store ``data`` as ``name`` when ``session``'s transaction commits (the application's
    session by default); discard it if the transaction rolls back or the session closes first.

    The data is written at once to a staging place (so a full disk fails the action, not the
    commit), then moved into place after the commit: readers never see a file whose row is not
    committed. Opens the transaction as a write one if none is open yet (``core.db.begin_write``):
    the file belongs to it. Staged files follow the outermost transaction: a savepoint rolled
    back inside it does not discard them. Raises ``InvalidName`` before writing anything.
    """
    check_name(name)
    session = session if session is not None else db.session()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    storage = get_storage()
    handle = storage.stage(data, content_type)
    previous = session.info.setdefault(_STAGED, {}).pop(name, None)
    if previous is not None:  # the same name written twice: the last write wins
        previous.storage.discard(previous.handle)
    session.info[_STAGED][name] = _Staged(storage, handle, data)


def read_in_transaction(name: str, *, session: Session | None = None) -> bytes:
    """The content of ``name`` as ``session``'s transaction sees it: what ``save_after_commit``
    staged in it, else the stored file. Raises ``FileNotFoundError`` for neither."""
    session = session if session is not None else db.session()
    staged = session.info.get(_STAGED, {}).get(check_name(name))
    return staged.data if staged is not None else get_storage().read(name)


@event.listens_for(Session, "after_commit")
def _publish_staged(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it may still roll back
    for name, staged in session.info.pop(_STAGED, {}).items():
        try:
            staged.storage.publish(staged.handle, name)
        except Exception:  # noqa: BLE001 - the rows are committed; the others must still go out
            log.exception("staged file %s not published after commit", name)


@event.listens_for(Session, "after_transaction_end")
def _discard_staged(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (after one, the list is already empty).
    if transaction.parent is not None:
        return
    for staged in session.info.pop(_STAGED, {}).values():
        try:
            staged.storage.discard(staged.handle)
        except Exception:  # noqa: BLE001 - a leftover is removed by discard_staged_before
            log.exception("staged file %s not discarded", staged.handle)
