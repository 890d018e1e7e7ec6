"""Atom feed views (scaffold)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__)
