"""Favourites: the listings a member keeps an eye on. Functions flush and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden
from sportressources.listings.models import Favourite, Listing
from sportressources.listings.policies import can_keep_favourites


def toggle_favourite(actor, listing: Listing, want: bool | None = None) -> bool:
    """Add the listing to the member's favourites, or remove it; True if it is now a favourite.
    ``want``: True only adds, False only removes (an « Annuler » sent twice changes nothing)."""
    if not can_keep_favourites(actor):
        raise Forbidden(_l("Connectez-vous pour garder des annonces en favori."))
    existing = db.session.get(Favourite, (actor.id, listing.id))
    if existing is not None and want is True:
        return True
    if existing is None and want is False:
        return False
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
        return False
    if not listing.is_visible:
        raise Conflict(_l("Cette annonce n’est plus disponible."))
    db.session.add(Favourite(user_id=actor.id, listing_id=listing.id))
    db.session.flush()
    return True


def favourite_ids(user, listing_ids: list[int]) -> set[int]:
    """Which of these listings the member keeps as favourites (one query for a whole page)."""
    if not getattr(user, "is_authenticated", False) or not listing_ids:
        return set()
    return set(
        db.session.scalars(
            select(Favourite.listing_id).where(
                Favourite.user_id == user.id, Favourite.listing_id.in_(listing_ids)
            )
        )
    )


def favourites_of(user) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .join(Favourite, Favourite.listing_id == Listing.id)
            .where(Favourite.user_id == user.id)
            .options(joinedload(Listing.organisation))
            .order_by(Favourite.created_at.desc())
        )
    )
