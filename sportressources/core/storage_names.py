"""The names a storage accepts, shared by every backend (``core.storage`` re-exports them)."""

from __future__ import annotations

import re

NAME_PATTERN = re.compile(r"[a-z0-9]{2}[a-z0-9-]{0,94}\.jpg")
PREFIX_PATTERN = re.compile(r"[a-z0-9-]{0,96}")
HANDLE_PATTERN = re.compile(r"[0-9a-f]{32}")


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
