"""``flask demo seed``: demo data once, and synthetic listings in bulk that search finds."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.security import Role
from sportressources.core.storage import get_storage
from sportressources.listings.cli import demo_cli
from sportressources.listings.demo import seed_demo
from sportressources.listings.demo_catalogue import ITEMS
from sportressources.listings.demo_illustrations import CATEGORY_DRAWINGS, drawing_for, render
from sportressources.listings.fingerprints import difference_hash, hamming_distance
from sportressources.listings.models import VISIBLE_STATUSES, Listing, ListingPhoto
from sportressources.listings.search import query as search_query
from sportressources.listings.search.index import document_text, listing_search, taxonomy_labels
from sportressources.listings.search.params import SearchParams
from sportressources.listings.search.query import search_listings
from sportressources.listings.search.words import index_words
from sportressources.listings.taxonomy import CATEGORIES
from sportressources.messaging.models import Conversation, Message


def count(model_or_table) -> int:
    return db.session.scalar(select(func.count()).select_from(model_or_table))


def test_demo_seed_adds_plausible_listings_once(app):
    runner = app.test_cli_runner()

    first = runner.invoke(demo_cli, ["seed"])

    assert first.exit_code == 0, first.output
    assert "60 annonces de démonstration" in first.output
    listings = db.session.scalars(select(Listing)).all()
    # Sixty from the demo residents, three in the name of the demo club (its gear)
    assert len(listings) == 63
    assert len([listing for listing in listings if listing.organisation_id]) == 3
    assert len({listing.sport for listing in listings}) >= 15
    assert len({listing.commune_insee for listing in listings}) >= 5
    assert any(listing.venue_id for listing in listings)
    assert {listing.kind for listing in listings} == {"gift", "loan", "sale"}
    assert all(listing.status in VISIBLE_STATUSES for listing in listings)
    assert all(listing.price_cents is not None for listing in listings if listing.kind == "sale")
    photos = db.session.scalars(select(ListingPhoto)).all()
    assert len(photos) >= 30
    assert get_storage().exists(f"{photos[0].key}-s.jpg")
    assert count(Conversation) == 3 and count(Message) >= 7
    assert search_listings(SearchParams(), limit=5).total == 63
    assert search_listings(SearchParams(q="vélo")).hits
    # Residents publish in their own name, the club's manager in the club's; staff never publish
    for listing in listings:
        assert listing.owner.role == Role.RESIDENT.value, listing.owner.email
        if listing.organisation_id:
            assert listing.organisation.name == "US Club démo"
        else:
            assert listing.owner.email != "club@example.org", listing.title
    staff = select(User.id).where(User.role != Role.RESIDENT.value)
    assert count(select(Listing).where(Listing.owner_id.in_(staff)).subquery()) == 0

    second = runner.invoke(demo_cli, ["seed"])

    assert second.exit_code == 0, second.output
    assert "rien à faire" in second.output
    assert count(Listing) == 63 and count(Conversation) == 3


@pytest.fixture
def demo_listings(app) -> list[Listing]:
    import random

    seed_demo(random.Random(62))
    db.session.commit()
    return list(db.session.scalars(select(Listing).order_by(Listing.id)))


def test_demo_sizes_audiences_and_brands_agree(demo_listings):
    assert {listing.category for listing in demo_listings} == set(CATEGORIES)
    brands = {(item.sport, item.category): set() for item in ITEMS}
    for item in ITEMS:
        brands[item.sport, item.category].update(item.brands)
    for listing in demo_listings:
        category = CATEGORIES[listing.category]
        child = listing.age_group in ("u7", "u9", "u11", "u13")
        assert listing.brand in brands[listing.sport, listing.category], listing.title
        assert listing.brand in listing.title
        if not category.sizes:
            assert listing.size == "", listing.title
            continue
        assert listing.size in category.sizes, listing.title
        if category.size_system == "shoe_eu":
            assert int(listing.size) <= 34 if child else int(listing.size) >= 35, listing.title
            assert f"pointure {listing.size}" in listing.title
        elif category.size_system == "clothing" and child:
            assert listing.size in ("6 ans", "8 ans", "10 ans", "12 ans"), listing.title
        elif category.size_system == "bike_wheel":
            wheel = float(listing.size.rstrip('"').replace(",", "."))
            assert wheel <= 20 if child else wheel >= 24, listing.title
        elif category.size_system == "clothing" and listing.age_group == "adult":
            assert listing.size in ("S", "M", "L", "XL"), listing.title


def test_every_category_has_its_own_illustration(app, demo_listings):
    assert set(CATEGORY_DRAWINGS) == set(CATEGORIES)
    hashes = {}
    for code in CATEGORIES:
        with Image.open(io.BytesIO(render(drawing_for(code), 0))) as image:
            hashes[code] = difference_hash(image)
    # Far enough apart that the moderators' near-duplicate flag (3 bits) never pairs them
    for first in CATEGORIES:
        for second in CATEGORIES:
            if first < second:
                assert hamming_distance(hashes[first], hashes[second]) > 3, (first, second)
    # The demo photos went through the pipeline: stored in three sizes, each file its own
    demo_photos = [photo for listing in demo_listings for photo in listing.photos]
    assert len({photo.sha256 for photo in demo_photos}) == len(demo_photos)
    assert any(listing.photo_count == 3 for listing in demo_listings)
    storage = get_storage()
    for photo in demo_photos[:5]:
        for suffix in ("", "-m", "-s"):
            assert storage.exists(f"{photo.key}{suffix}.jpg")


def test_synthetic_listings_are_all_searchable(app, monkeypatch):
    result = app.test_cli_runner().invoke(
        demo_cli, ["seed", "--listings", "2000", "--batch", "700"]
    )

    assert result.exit_code == 0, result.output
    assert count(Listing) == 2000
    visible = db.session.scalars(select(Listing).where(Listing.status.in_(VISIBLE_STATUSES))).all()
    assert 1700 < len(visible) < 2000
    assert count(listing_search) == len(visible)
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')"))
        assert db.session.scalar(text("SELECT count(*) FROM search_rtree")) == len(visible)

    # What bulk loading indexed is what the ORM path would have indexed, word for word
    monkeypatch.setattr(search_query, "COUNT_CAP", 10_000)
    for word in ("ballon", "velo", "enfant", "kipsta"):
        expected = {
            listing.id
            for listing in visible
            if word
            in index_words(
                document_text(
                    listing.title,
                    listing.description,
                    listing.brand,
                    taxonomy_labels(listing.sport, listing.category),
                )
            )
        }
        page = search_listings(SearchParams(q=word), limit=100)
        assert page.total == len(expected), word
        assert {hit.listing.id for hit in page.hits} <= expected

    near = search_listings(SearchParams(near="commune:62498", sort="nearest", radius_km=10))
    distances = [hit.distance_km for hit in near.hits]
    assert distances and distances == sorted(distances) and distances[-1] <= 10
    owners = db.session.scalar(select(func.count(func.distinct(Listing.owner_id))))
    assert owners >= 10


@pytest.mark.parametrize("option", ["--listings=0", "--batch=10"])
def test_bad_seed_options_are_refused(app, option):
    result = app.test_cli_runner().invoke(demo_cli, ["seed", option])

    assert result.exit_code == 2
    assert count(Listing) == 0
