"""Figures computed from the data: the dashboard (queue, decisions per day, per moderator) and the
public transparency report (per year)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""
