"""Automatic flags: small rules that lift an item to the top of the queue with a French
explanation. Each returns a flag (``{"code": …, "detail": …}``) or nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""


def listing_flags(listing) -> list[dict[str, Any]]:
    """The flags a listing raises when it is submitted or edited."""
    return []


def explain(flag: dict[str, Any]) -> str:
    """The French explanation of a flag for moderators (« Coordonnées dans le texte : … »)."""
    return str(flag.get("detail") or flag.get("code", ""))
