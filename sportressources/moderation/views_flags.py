"""Moderation pages: the automatic flags' settings (forbidden words)."""

from __future__ import annotations

from sportressources.moderation.views import bp  # noqa: F401
