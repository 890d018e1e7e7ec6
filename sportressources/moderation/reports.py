"""Reports (DSA art. 16 notice and action): anyone may report a listing, a profile, a message or
a rating; reports join the item's case; reporters are acknowledged and told the outcome.
Functions flush, never commit."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""


def settle_reports(case, *, upheld: bool, actor) -> None:
    """Close the open reports of a decided case (upheld when the item was restricted) and tell
    each reporter the outcome."""
