"""The two parties of a handover and the lock under which its steps run, the same for an
exchange and a loan.

Each step first locks the listing's row until commit, so that the steps of one listing run one
after the other on PostgreSQL (SQLite serialises writers already: requests begin with BEGIN
IMMEDIATE, and code outside a request calls ``core.db.begin_write`` first).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import LazyString
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Forbidden
from sportressources.listings.models import Listing
from sportressources.listings.policies import acts_for_owner


def is_member(user) -> bool:
    """A signed-in member, not an anonymous visitor."""
    return bool(user is not None and getattr(user, "is_authenticated", False))


def side_of(user, sides: Mapping[str, int | Listing]) -> str | None:
    """The side (``"owner"``, ``"lender"``…) ``user`` stands on, in the order of ``sides``; None
    for anyone else and for a visitor.

    A side given as a member id is that member's; a side given as a listing is its owner's:
    whoever acts for it (``listings.policies.acts_for_owner``: for an organisation's listing,
    any of its current members)."""
    if not is_member(user):
        return None
    for side, party in sides.items():
        if isinstance(party, Listing):
            if acts_for_owner(user, party):
                return side
        elif user.id == party:
            return side
    return None


def require_party(
    user, sides: Mapping[str, int | Listing], message: LazyString, wanted: str | None = None
) -> str:
    """``user``'s side of the handover (the ``wanted`` one, if given). Raises Forbidden with
    ``message`` for anyone else."""
    side = side_of(user, sides)
    if side is None or (wanted is not None and side != wanted):
        raise Forbidden(message)
    return side


def lock_listing(listing_id: int, *, key_share: bool = False) -> Listing:
    """Lock the listing's row until commit and reload it (a no-op lock on SQLite).

    ``key_share``: FOR NO KEY UPDATE rather than FOR UPDATE; it still serialises the steps of
    one listing, but lets other transactions take the KEY SHARE lock their foreign keys need.
    """
    return db.session.scalars(
        select(Listing)
        .where(Listing.id == listing_id)
        .with_for_update(key_share=key_share)
        .execution_options(populate_existing=True)
    ).one()
