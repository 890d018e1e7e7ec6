"""Deciding a case: approve, reject, request changes, remove or dismiss, applied to the item
(listing, message, profile, rating comment) through its own package's services, first decision
wins. Functions flush, never commit."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""


def reverse_decision(actor, statement) -> None:
    """Undo what a statement's content decision did (an appeal was granted): put the listing,
    message, profile name or rating comment back as it was."""
    raise NotImplementedError
