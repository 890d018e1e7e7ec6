"""Sanctions: warn, suspend for a period, ban; lift; end suspensions whose period is over; what a
sanction does to the member's listings, requests and loans. Functions flush, never commit."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""


def lift_sanction(actor, sanction, reason: str) -> None:
    """Lift an active sanction early (a moderator's decision or a granted appeal)."""
    raise NotImplementedError
