"""Appeals (DSA art. 20): a member contests a statement once, within six months; another
moderator rules, and the ruling is a new statement. Functions flush, never commit."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""
