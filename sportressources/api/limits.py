"""Rate limits of the API: per token when one comes, per client address otherwise."""

from __future__ import annotations


def apply(blueprint) -> None:
    """Put the API's limits on ``blueprint`` (scaffold: none yet)."""
