"""The demo club's gear (``flask data init --demo``): once the organisations' demo made the club,
three listings in its name, two lendable with terms for verified organisations; made once."""

from __future__ import annotations

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.trade.loans import terms
from sportressources.trade.loans.organisation_demo import DEMO_CLUB_SLUG, seed_demo_club_gear
from tests.factories import make_organisation, make_user
from tests.fixtures.web import sign_in, text


def club_listings(club) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing).where(Listing.organisation_id == club.id).order_by(Listing.id)
        )
    )


def test_nothing_without_the_demo_club(app):
    assert "rien à faire" in seed_demo_club_gear()
    assert db.session.scalars(select(Listing)).all() == []


def test_the_demo_club_publishes_its_gear_once(app, client):
    manager = make_user(email="club@example.org", display_name="US Club démo")
    club = make_organisation(manager=manager, name="US Club démo")
    club.slug = DEMO_CLUB_SLUG
    db.session.commit()

    report = seed_demo_club_gear()
    db.session.commit()

    made = club_listings(club)
    assert "3 annonces" in report
    assert [(listing.kind, listing.status) for listing in made] == [
        ("loan", "published"),
        ("loan", "published"),
        ("gift", "published"),
    ]
    assert all(listing.photo_count == 1 for listing in made)
    lending = terms.terms_of(made[0])
    assert (lending.partner_deposit_waived, lending.partner_max_days) == (True, 30)
    assert "rien à faire" in seed_demo_club_gear()
    assert len(club_listings(club)) == 3
    sign_in(client, manager)
    assert "Lot de plots, chasubles et mini-buts" in text(client.get("/mon-espace"))
