"""Where uploaded files live: a small interface, and the local-disk backend behind it.

Code that stores or serves files calls ``get_storage()`` and the ``Storage`` methods only, so that
an object store (S3-compatible, Swift...) can replace the disk by adding one entry to ``BACKENDS``.
Names are flat and strict (``[a-z0-9-]`` then ``.jpg``): no name can reach outside the storage.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from sportressources.config import ConfigurationError

NAME_PATTERN = re.compile(r"[a-z0-9]{2}[a-z0-9-]{0,94}\.jpg")
PREFIX_PATTERN = re.compile(r"[a-z0-9-]{0,96}")
_EXTENSION_KEY = "sportressources.storage"


class InvalidName(ValueError):
    """A storage name outside ``[a-z0-9-]`` + ``.jpg``: refused before touching any file."""


def is_valid_name(name: str) -> bool:
    """True if ``name`` may be stored: 2 to 96 characters of ``[a-z0-9-]``, starting with two
    letters or digits, then ``.jpg``."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


def check_name(name: str) -> str:
    """``name`` itself if valid; raises ``InvalidName`` otherwise."""
    if not is_valid_name(name):
        raise InvalidName(f"invalid storage name: {name!r}")
    return name


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


# STORAGE_BACKEND value -> factory taking the app's config; an object store adds its entry here.
BACKENDS: dict[str, Callable[[Mapping[str, Any]], Storage]] = {
    "local": lambda config: LocalStorage(Path(config["UPLOAD_DIR"])),
}


def get_storage() -> Storage:
    """The current application's storage, built on first use from ``STORAGE_BACKEND`` (default
    ``"local"``: ``UPLOAD_DIR`` on disk).

    Nothing is written until a file is saved. Raises ``ConfigurationError`` for an unknown backend.
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
