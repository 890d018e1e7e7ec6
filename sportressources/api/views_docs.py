"""The interactive API documentation page, from the site's own templates and static files."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the documentation page (scaffold: none yet)."""
