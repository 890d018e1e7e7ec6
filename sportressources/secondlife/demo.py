"""Demo data for second life: one demo loan item old enough to be suggested by the next
``flask secondlife scan``. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.listings.demo import DEMO_MEMBERS
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.secondlife.scan import months_before
from sportressources.trade.loans.models import Loan

# Residents whose demo listings may be aged; not yanis, who manages the demo ressourcerie
DEMO_OWNERS = ("camille@example.org", *(email for email, _name, _insee in DEMO_MEMBERS))


def age_demo_loan_item() -> str:
    """Backdate one never-borrowed demo loan listing of a demo resident past the idle
    threshold (camille's first, else another demo member's)."""
    owners = {
        user.email: user.id
        for user in db.session.scalars(select(User).where(User.email.in_(DEMO_OWNERS)))
    }
    if not owners:
        return "pas de compte de démonstration"
    cutoff = months_before(utcnow(), current_app.config["SECOND_LIFE_LOAN_IDLE_MONTHS"])
    candidates = (
        select(Listing)
        .where(
            Listing.owner_id.in_(owners.values()),
            Listing.kind == ListingKind.LOAN.value,
            Listing.status == ListingStatus.PUBLISHED.value,
            Listing.organisation_id.is_(None),
            ~exists().where(Loan.listing_id == Listing.id),
        )
        .order_by(Listing.id)
    )
    rank = {owners[email]: number for number, email in enumerate(DEMO_OWNERS) if email in owners}
    listings = sorted(db.session.scalars(candidates), key=lambda item: rank[item.owner_id])
    if any(listing.published_at and listing.published_at <= cutoff for listing in listings):
        return "déjà présent"
    if not listings:
        return "aucune annonce de prêt disponible"
    old = cutoff - timedelta(days=10)
    # Demo data only: as if published long ago and never borrowed since
    listings[0].published_at = listings[0].created_at = old
    db.session.flush()
    return f"« {listings[0].title} » publiée il y a plus de six mois"
