"""A listing's page: its photos large, the first loaded at once, each in every stored size, and
its place on the map at the pickup venue or the commune's centre, never where the owner lives."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.geo.models import Commune
from sportressources.listings import photos, services
from sportressources.venues.models import Venue, VenueStatus
from tests.factories import make_listing, make_user, move_listing
from tests.fixtures.web import text
from tests.listings.helpers import jpeg_bytes, listing_data

LENS, LIEVIN = "62498", "62510"


class _Page(HTMLParser):
    """The attributes of every <img> and the JSON of the listing's map."""

    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.map_data = ""
        self._in_map_data = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "img":
            self.images.append(attributes)
        self._in_map_data = attributes.get("id") == "map-data-listing-place"

    def handle_data(self, data):
        if self._in_map_data:
            self.map_data += data

    def handle_endtag(self, tag):
        self._in_map_data = False


def parse(response) -> _Page:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


def big_photo(shade: int) -> str:
    """A 2000 × 1500 upload through the real pipeline: stored at 1600, 640 and 240 px wide."""
    return photos.store(photos.process_upload(jpeg_bytes(2000, 1500, (shade, 90, 160)), "p.jpg"))


def published(owner=None, photo_count: int = 3, **overrides):
    owner = owner or make_user(home_commune_insee=LENS)
    keys = [big_photo(40 * number) for number in range(photo_count)]
    listing = services.create_listing(
        owner, listing_data(photo_keys=keys, **overrides), submit=bool(keys)
    )
    db.session.commit()
    return move_listing(listing, "approve") if keys else listing


def slide_images(page: _Page) -> list[dict[str, str]]:
    return [image for image in page.images if image.get("alt", "").startswith("Photo ")]


def test_first_photo_loads_at_once_and_the_others_lazily(client):
    listing = published(title="Vélo enfant 20 pouces")

    images = slide_images(parse(client.get(f"/annonces/{listing.id}")))

    assert [image["alt"] for image in images] == [
        f"Photo {n} sur 3 : Vélo enfant 20 pouces" for n in (1, 2, 3)
    ]
    first, *others = images
    assert (first["loading"], first["fetchpriority"]) == ("eager", "high")
    assert all(image["loading"] == "lazy" and "fetchpriority" not in image for image in others)


def test_each_photo_offers_every_stored_size(client):
    listing = published(photo_count=1)
    key = listing.photos[0].key

    (image,) = slide_images(parse(client.get(f"/annonces/{listing.id}")))

    assert image["srcset"] == (
        f"/medias/{key}.jpg 1600w, /medias/{key}-m.jpg 640w, /medias/{key}-s.jpg 240w"
    )
    assert (image["width"], image["height"]) == ("1600", "1200")
    assert image["sizes"] and image["src"] == f"/medias/{key}-m.jpg"
    for candidate in image["srcset"].split(", "):
        response = client.get(candidate.split()[0])
        response.close()
        assert response.status_code == 200


def test_a_small_photo_is_not_offered_three_times(app):
    assert photos.stored_widths(500, 300) == {"m": 500, "s": 240}
    assert photos.stored_widths(200, 300) == {"m": 200, "s": 160}
    assert photos.stored_widths(200, 150) == {"s": 200}
    assert photos.stored_widths(1200, 1600) == {"l": 1200, "m": 480, "s": 180}


def test_without_javascript_every_photo_links_to_its_full_size(client):
    listing = published(photo_count=2)

    html = client.get(f"/annonces/{listing.id}").get_data(as_text=True)

    for photo in listing.photos:
        assert f'href="/medias/{photo.key}.jpg"' in html
    # Carousel controls are for JavaScript to reveal; the photos are in the page either way
    assert re.search(r"data-gallery-controls\s+hidden", html)
    assert "Photo suivante" in html


def test_a_listing_without_photo_says_so(client):
    listing = make_listing()

    page = client.get(f"/annonces/{listing.id}")

    assert "Pas de photo." in text(page)
    assert "data-gallery" not in page.get_data(as_text=True)


def visible_text(client, listing) -> str:
    html = client.get(f"/annonces/{listing.id}").get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def map_point(client, listing) -> dict:
    page = parse(client.get(f"/annonces/{listing.id}"))
    (marker,) = json.loads(page.map_data)
    return marker


def test_the_map_shows_the_commune_centre_not_the_owners_home(client):
    owner = make_user(home_commune_insee=LENS)
    listing = published(owner, photo_count=1, commune_insee=LIEVIN)
    # Whatever the row holds (an older, finer position, say), the page shows the centre
    listing.latitude, listing.longitude = 50.123456, 2.654321
    db.session.commit()
    lievin, lens = db.session.get(Commune, LIEVIN), db.session.get(Commune, LENS)

    marker = map_point(client, listing)

    assert (marker["lat"], marker["lon"]) == (lievin.latitude, lievin.longitude)
    assert (marker["lat"], marker["lon"]) != (lens.latitude, lens.longitude)
    assert marker["approximate"] is True
    assert "Autour de Liévin · centre de la commune" in visible_text(client, listing)


def test_the_map_shows_the_pickup_venue(client):
    venue = db.session.scalars(
        select(Venue)
        .where(Venue.status == VenueStatus.PUBLISHED.value, Venue.pickup)
        .where(Venue.position_approximate.is_(False))
        .order_by(Venue.id)
    ).first()
    listing = published(photo_count=1, commune_insee=venue.commune_insee, venue_id=venue.id)
    listing.latitude, listing.longitude = 50.123456, 2.654321
    db.session.commit()

    marker = map_point(client, listing)

    assert (marker["lat"], marker["lon"]) == (venue.latitude, venue.longitude)
    assert marker["url"].endswith(f"/{venue.slug}") and marker["approximate"] is False
    assert f"Retrait à {venue.name}, {venue.commune.name}" in visible_text(client, listing)
