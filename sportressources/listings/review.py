"""The review of listings: the queue of listings waiting for a moderator, publishing or
rejecting one, and telling its owner (``notices``: an in-app notice and an email, in their
language). Functions flush and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_text
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.notices import KINDS
from sportressources.listings.policies import can_review_listings
from sportressources.notifications.services import Email, site_path, tell_member


def review_queue() -> list[Listing]:
    """Listings waiting for review, oldest first."""
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.status == ListingStatus.AWAITING_REVIEW.value)
            .order_by(Listing.updated_at, Listing.id)
        )
    )


def review_listing(actor, listing: Listing, accept: bool, note: str = "") -> None:
    """Publish or reject a listing awaiting review and tell its owner.

    Raises Forbidden (not a moderator), Conflict (already reviewed) or ValidationFailed (a
    refusal needs a reason).
    """
    if not can_review_listings(actor):
        raise Forbidden(_l("Seule l’équipe de modération peut examiner les annonces."))
    if listing.status != ListingStatus.AWAITING_REVIEW.value:
        raise Conflict(_l("Cette annonce a déjà été examinée."))
    note = clean_text(note)
    if not accept and not note:
        raise ValidationFailed({"note": _l("Expliquez à l’auteur pourquoi l’annonce est refusée.")})
    if len(note) > 1000:
        raise ValidationFailed({"note": _l("Ce texte ne peut pas dépasser 1000 caractères.")})
    listing.review_note = note
    apply_transition(listing, "approve" if accept else "reject", actor=actor, reason=note)
    kind = "listing_published" if accept else "listing_rejected"
    subject, _message = KINDS[kind]
    email = Email(
        subject,
        "listings/listing_reviewed",
        {
            "listing": listing,
            "accepted": accept,
            "listing_url": external_url("listings.detail", listing_id=listing.id),
        },
    )
    params = {"title": listing.title} | ({} if accept else {"reason": note})
    tell_member(
        listing.owner,
        kind,
        site_path("listings.detail", listing_id=listing.id),
        email=email,
        **params,
    )


def count_awaiting_review() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Listing)
        .where(Listing.status == ListingStatus.AWAITING_REVIEW.value)
    )
