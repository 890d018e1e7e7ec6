"""What listings shows on the pages of lower packages (see core.hooks): a member's listings on
their public profile, the listings to pick up at a venue on the venue's page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.listings.models import Listing, ListingStatus

SHOWN = 24  # newest first; search finds the rest


def _published(*conditions) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.status == ListingStatus.PUBLISHED.value, *conditions)
            .options(
                joinedload(Listing.commune),
                joinedload(Listing.venue),
                joinedload(Listing.organisation),
            )
            .order_by(Listing.id.desc())
            .limit(SHOWN)
        )
    )


def member_listings(user_id: int) -> list[Listing]:
    """A member's own published listings, newest first (at most ``SHOWN``). Those they publish
    for an organisation are the organisation's, shown on its page."""
    return _published(Listing.owner_id == user_id, Listing.organisation_id.is_(None))


def venue_listings(venue_id: int) -> list[Listing]:
    """The published listings to pick up at a venue, newest first (at most ``SHOWN``)."""
    return _published(Listing.venue_id == venue_id)


def profile_section(member, **_context) -> str:
    """« Ses annonces » on a member's public profile (slot ``profile.sections``)."""
    return render_template(
        "listings/_profile_section.html", member=member, listings=member_listings(member.id)
    )


def venue_section(venue, **_context) -> str:
    """« Annonces à retirer ici » on a venue's page (slot ``venue.sections``)."""
    return render_template(
        "listings/_venue_section.html", venue=venue, listings=venue_listings(venue.id)
    )
