"""Second-life fixtures: an owner with an old loan item and an old gift, the demo-like
ressourcerie with its volunteer, and a moment well after both thresholds."""

from datetime import UTC, datetime, timedelta

import pytest

from sportressources.core.db import db
from sportressources.listings.models import ListingPhoto
from sportressources.secondlife.scan import scan
from tests.factories import add_member, committed, make_listing, make_organisation, make_user

NOW = datetime(2027, 6, 15, 10, 0, tzinfo=UTC)
_photo_numbers = iter(range(1, 10_000))


def aged(listing, published_at):
    """Backdate a listing's publication (what a scan reads)."""
    listing.published_at = published_at
    db.session.commit()
    return listing


def with_photo(listing):
    """A published listing has a photo: the listing services ask for one on every change."""
    number = next(_photo_numbers)
    db.session.add(
        ListingPhoto(
            listing_id=listing.id, position=0, key=f"secondlife{number:05d}", width=8, height=8
        )
    )
    db.session.commit()
    return listing


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org", display_name="Olivier Prêteur")


@pytest.fixture
def loan_item(owner):
    listing = make_listing(
        owner=owner,
        kind="loan",
        title="Vélo enfant 20 pouces",
        category="velos",
        size='20"',
        age_group="u9",
    )
    return aged(with_photo(listing), datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # > 6 months


@pytest.fixture
def gift_item(owner):
    listing = make_listing(owner=owner, kind="gift", title="Raquette de badminton", size="")
    return aged(with_photo(listing), NOW - timedelta(weeks=9))


@pytest.fixture
def ressourcerie(app):
    manager = make_user(email="yanis@example.org", display_name="Yanis R.")
    return make_organisation(
        manager=manager,
        name="Ressourcerie démo de l’Artois",
        kind="ressourcerie",
        siret="73282932000074",
    )


@pytest.fixture
def volunteer(ressourcerie):
    return add_member(ressourcerie, make_user(display_name="Vera Bénévole"))


@pytest.fixture
def suggested(loan_item):
    committed(scan(NOW))
    from sportressources.secondlife.models import Suggestion

    return db.session.scalar(db.select(Suggestion).where(Suggestion.listing_id == loan_item.id))
