"""Moderation pages: admin."""

from __future__ import annotations

from sportressources.moderation.views import bp  # noqa: F401
