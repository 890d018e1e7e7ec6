"""A member's own data and actions, with a personal API token."""

from __future__ import annotations

from flask_smorest import Blueprint

blueprint = Blueprint("api_member", __name__, description="Espace membre")
