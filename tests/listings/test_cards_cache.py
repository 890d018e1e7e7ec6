"""Listing cards from the rendering cache: a change shows at the next request while the old card
is still cached, languages never mix, the distance and the favourite badge stay per request, and
a cache that is down only costs the rendering. In process and, with TEST_REDIS_URL, on Redis."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import redis
from sqlalchemy import update

from sportressources.core import cache
from sportressources.core.db import db
from sportressources.geo.models import Commune
from sportressources.listings.favourites import toggle_favourite
from sportressources.organisations.models import Organisation
from sportressources.venues.models import Venue, VenueStatus
from tests.factories import committed, make_listing, make_organisation, make_user, move_listing
from tests.fixtures.web import sign_in, text

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
STORES = [pytest.param("memory", id="memory")]
if REDIS_URL:
    STORES.append(pytest.param("redis", id="redis", marks=pytest.mark.redis))

LENS = "62498"
LIEVIN = "62510"


@pytest.fixture(params=STORES)
def app_overrides(request):
    """The rendering cache in the process, or on Redis under a key prefix of its own."""
    prefix = f"sr62-test-{uuid.uuid4().hex}"
    if request.param == "memory":
        yield {"PAGE_CACHE_URL": ""}
        return
    yield {"PAGE_CACHE_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(match=f"{prefix}:*"):
        connection.delete(key)
    connection.close()


def cached_cards() -> int:
    """How many cards the rendering cache holds (its own client, whatever the store)."""
    store = cache.store.cache
    if hasattr(store, "_entries"):  # in process
        return sum(1 for key in store._entries if key.startswith("card:"))
    return sum(1 for _ in store._read_client.scan_iter(match=f"{store.key_prefix}card:*"))


def card_of(page: str, title: str) -> str:
    """The HTML of the card whose title is ``title``."""
    cards = re.findall(r'<li class="listing-card.*?</li>', page, flags=re.S)
    matching = [card for card in cards if f">{title}</a>" in card]
    assert len(matching) == 1, (title, cards)
    return matching[0]


def search(client, **args) -> str:
    response = client.get("/annonces", query_string=args)
    assert response.status_code == 200
    return text(response)


def test_the_same_card_is_read_from_the_cache(client, owner):
    make_listing(owner, title="Raquette de badminton")
    first = card_of(search(client), "Raquette de badminton")
    assert cached_cards() == 1
    assert card_of(search(client), "Raquette de badminton") == first
    assert cached_cards() == 1


def _edit_listing(listing, **values):
    for name, value in values.items():
        setattr(listing, name, value)
    db.session.commit()


CHANGES = {
    "title": (lambda listing: _edit_listing(listing, title="Raquette neuve"), "Raquette neuve"),
    "price": (lambda listing: _edit_listing(listing, price_cents=750), "7,50"),
    "kind": (lambda listing: _edit_listing(listing, kind="loan"), "Prêt"),
    "sport": (lambda listing: _edit_listing(listing, sport="tennis"), "Tennis"),
    "size": (lambda listing: _edit_listing(listing, size="40"), "· 40"),
    "condition": (lambda listing: _edit_listing(listing, condition="worn"), "Usé"),
    "status": (lambda listing: move_listing(listing, "reserve"), "Réservé"),
    "photo": (lambda listing: _edit_listing(listing, cover_photo="abc123"), "abc123-s.jpg"),
    "commune name": (
        lambda listing: (
            db.session.execute(
                update(Commune).where(Commune.insee == LENS).values(name="Lens-Centre")
            ),
            db.session.commit(),
        ),
        "Lens-Centre",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_a_listing_shows_at_the_next_request(client, owner, change):
    # A gift for the change of kind: only a sale has a price
    start = {"kind": "gift"} if change == "kind" else {"kind": "sale", "price_cents": 1200}
    listing = make_listing(owner, title="Raquette de badminton", **start)
    before = card_of(search(client), "Raquette de badminton")
    apply, shown = CHANGES[change]
    assert shown not in before
    apply(listing)
    title = "Raquette neuve" if change == "title" else "Raquette de badminton"
    after = card_of(search(client), title)
    assert shown in after
    assert cached_cards() == 2  # the old card is still there, never asked for again


def test_a_venue_or_organisation_renamed_shows_at_the_next_request(client, owner):
    venue = db.session.scalar(
        db.select(Venue).where(Venue.status == VenueStatus.PUBLISHED.value).limit(1)
    )
    organisation = make_organisation(manager=owner, name="Club des raquettes")
    make_listing(owner, title="Raquette", venue=venue, organisation_id=organisation.id)
    before = card_of(search(client), "Raquette")
    assert venue.name in before and "Club des raquettes" in before

    venue.name = "Salle rénovée"
    db.session.commit()
    assert "Salle rénovée" in card_of(search(client), "Raquette")

    organisation.name = "Raquettes du bassin"
    db.session.commit()
    assert "Raquettes du bassin" in card_of(search(client), "Raquette")

    organisation.slug = "raquettes-du-bassin"
    db.session.commit()
    assert "/raquettes-du-bassin" in card_of(search(client), "Raquette")

    db.session.execute(
        update(Organisation).where(Organisation.id == organisation.id).values(status="pending")
    )
    db.session.commit()
    assert "Organisation vérifiée" not in card_of(search(client), "Raquette")
    assert cached_cards() == 5


def test_english_and_french_cards_do_not_mix(client, owner, app):
    make_listing(owner, title="Vélo enfant", kind="sale", price_cents=1500, condition="worn")
    french = card_of(search(client), "Vélo enfant")
    visitor = app.test_client()
    visitor.post("/langue", data={"locale": "en"})
    english = card_of(search(visitor), "Vélo enfant")
    assert "Vente à petit prix" in french and "Usé" in french
    assert "Vente à petit prix" not in english and "Usé" not in english
    assert "Vente à petit prix" in card_of(search(client), "Vélo enfant")


def test_the_distance_is_per_request(client, owner):
    make_listing(owner, title="Ballon", commune_insee=LENS)
    from_lens = card_of(search(client, near=f"commune:{LENS}"), "Ballon")
    from_lievin = card_of(search(client, near=f"commune:{LIEVIN}"), "Ballon")
    anywhere = card_of(search(client), "Ballon")
    assert "à moins d’1 km" in from_lens
    assert "à moins d’1 km" not in from_lievin and re.search(r"à \d+,\d km", from_lievin)
    assert " km" not in anywhere
    assert cached_cards() == 1


def test_the_favourite_badge_is_per_visitor(client, owner, app):
    listing = make_listing(owner, title="Ballon")
    fan = make_user(email="fan@example.org")
    committed(toggle_favourite(fan, listing, True))
    assert "Dans vos favoris" not in card_of(search(client), "Ballon")
    sign_in(client, fan)
    assert "Dans vos favoris" in card_of(search(client), "Ballon")
    other = app.test_client()
    assert "Dans vos favoris" not in card_of(search(other), "Ballon")
    assert cached_cards() == 1


def test_the_statements_of_a_page_do_not_change_with_its_cards(client, owner, count_queries):
    for number in range(3):
        make_listing(owner, title=f"Ballon {number}")
    # Signed in: the page is built each time (an anonymous visitor would get the kept page)
    sign_in(client, make_user(email="lecteur@example.org"))

    def statements() -> int:
        with count_queries() as seen:
            search(client)
        return len(seen)

    statements()  # the filter form's option lists, built once per process
    cache.clear()
    cold = statements()
    warm = statements()
    for number in range(3, 12):
        make_listing(owner, title=f"Ballon {number}")
    cache.clear()
    # The first page after a change checks once whether the venues changed (one statement)
    assert statements() == cold + 1
    assert cold == warm == statements() == statements()


@pytest.mark.parametrize("app_overrides", [{"PAGE_CACHE_URL": "redis://127.0.0.1:1/0"}])
def test_a_cache_that_is_down_still_renders_the_page(client, owner):
    make_listing(owner, title="Ballon", commune_insee=LENS)
    page = search(client, near=f"commune:{LENS}")
    assert "à moins d’1 km" in card_of(page, "Ballon")
    assert "Ballon" in card_of(search(client), "Ballon")


def test_a_named_place_is_read_again_when_the_venues_change(client, owner):
    venue = db.session.scalar(
        db.select(Venue).where(Venue.status == VenueStatus.PUBLISHED.value).limit(1)
    )
    make_listing(owner, title="Ballon", commune_insee=venue.commune_insee)
    assert f"autour de {venue.name}" in search(client, near=f"venue:{venue.slug}")
    venue.name = "Salle Zéphyrine"
    db.session.commit()
    assert "autour de Salle Zéphyrine" in search(client, near=f"venue:{venue.slug}")
    assert "autour de Salle Zéphyrine" in search(client, where="Salle Zéphyrine")
