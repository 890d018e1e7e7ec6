"""A member's listings in their personal-data export, and what happens to them when the member
deletes their account (connected to the accounts' signals in ``listings.init_app``)."""

from __future__ import annotations

from sqlalchemy import delete, select

from sportressources.core.db import db
from sportressources.core.signals import listing_closing
from sportressources.core.states import apply_transition
from sportressources.listings.favourites import Favourite, favourites_of
from sportressources.listings.models import Listing
from sportressources.listings.services import CLOSED_STATUSES


def export_listings(user) -> tuple[str, dict]:
    listings = db.session.scalars(select(Listing).where(Listing.owner_id == user.id)).all()
    return "listings", {
        "listings": [
            {
                "id": listing.id,
                "kind": listing.kind,
                "title": listing.title,
                "description": listing.description,
                "status": listing.status,
                "commune": listing.commune_insee,
                "price_cents": listing.price_cents,
                "created_at": listing.created_at.isoformat(),
                "photos": [photo.key for photo in listing.photos],
            }
            for listing in listings
        ],
        "favourites": [listing.id for listing in favourites_of(user)],
    }


def withdraw_listings_of_deleted_account(user) -> None:
    """The member's open listings leave the site; others' records (exchanges) stay intact.
    Those published for an organisation stay: they are the organisation's."""
    for listing in db.session.scalars(
        select(Listing).where(
            Listing.owner_id == user.id,
            Listing.organisation_id.is_(None),
            Listing.status.not_in(CLOSED_STATUSES),
        )
    ):
        listing_closing.send(listing, actor=user, deleting_account=True)
        apply_transition(listing, "withdraw", actor=user)
    db.session.execute(delete(Favourite).where(Favourite.user_id == user.id))
    # The member's own requests on others' listings: see exchanges' receiver
    db.session.flush()
