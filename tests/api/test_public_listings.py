"""The public listings endpoints: the site's search through the API (same query string, same
listings, same French refusals), keyset pages, and a listing's public detail only."""

from __future__ import annotations

import re

import pytest

from sportressources.core.db import db
from sportressources.listings import photos, services
from tests.factories import make_listing, make_user, move_listing
from tests.listings.helpers import jpeg_bytes, listing_data

LENS, LIEVIN, BETHUNE = "62498", "62510", "62119"


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org", display_name="Odile Propriétaire")


@pytest.fixture
def catalogue(owner):
    """Listings of several sports, kinds, prices and places."""
    return [
        make_listing(owner, title="Vélo enfant 20 pouces", sport="cyclisme", category="velos",
                     size="", commune_insee=LENS),
        make_listing(owner, title="Raquette de tennis", sport="tennis", category="raquettes",
                     size="", kind="sale", price_cents=1500, commune_insee=LIEVIN),
        make_listing(owner, title="Ballon de football taille 4", sport="football",
                     category="ballons", size="4", commune_insee=BETHUNE),
        make_listing(owner, title="Chaussures de football à crampons", commune_insee=LENS),
        make_listing(owner, title="Raquette de badminton", sport="badminton",
                     category="raquettes", size="", kind="sale", price_cents=500,
                     commune_insee=LENS),
    ]  # fmt: skip


def site_ids(client, query: str) -> list[int]:
    """The listings the site's search page shows for ``query``, in order."""
    html = client.get(f"/annonces?{query}").get_data(as_text=True)
    return list(dict.fromkeys(int(i) for i in re.findall(r'href="/annonces/(\d+)"', html)))


def api_ids(client, query: str) -> list[int]:
    response = client.get(f"/api/v1/listings?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=raquette",
        "sport=football",
        "kind=sale&sort=cheapest",
        "category=raquettes&max_price=10",
        "commune=62498",
        "near=commune%3A62510&radius=10",
        "where=Li%C3%A9vin",
        "zone=lens-lievin&condition=good",
        "utm_source=partenaire&sport=tennis",
    ],
)
def test_a_site_search_query_string_finds_the_same_listings(client, catalogue, query):
    found = api_ids(client, query)
    assert found == site_ids(client, query)
    assert found  # each query finds something, so that the comparison means something


def test_search_items_say_what_a_card_shows_with_absolute_links(client, catalogue):
    body = client.get("/api/v1/listings?q=tennis").get_json()
    (item,) = body["items"]
    assert item["title"] == "Raquette de tennis"
    assert item["kind"] == "sale" and item["price_cents"] == 1500
    assert item["commune"]["insee"] == LIEVIN
    assert item["url"] == f"http://localhost/api/v1/listings/{item['id']}"
    assert item["page_url"] == f"http://localhost/annonces/{item['id']}"
    assert body["page_url"] == "http://localhost/annonces?q=tennis"
    assert body["total"] == 1 and body["next"] is None


def test_pages_follow_each_other_without_duplicate_or_gap(client, owner):
    made = [make_listing(owner, title=f"Ballon numéro {n}") for n in range(7)]
    seen, url, pages = [], "/api/v1/listings?limit=3", 0
    while url:
        body = client.get(url).get_json()
        seen += [item["id"] for item in body["items"]]
        assert len(body["items"]) <= 3
        url = body["next"]
        pages += 1
    assert pages == 3
    assert seen == sorted({listing.id for listing in made}, reverse=True)


def test_the_previous_link_goes_back_to_the_same_page(client, owner):
    for n in range(5):
        make_listing(owner, title=f"Gourde numéro {n}")
    first = client.get("/api/v1/listings?limit=2").get_json()
    second = client.get(first["next"]).get_json()
    back = client.get(second["previous"]).get_json()
    assert [i["id"] for i in back["items"]] == [i["id"] for i in first["items"]]
    assert second["next_cursor"] and "after=" in second["next"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("sport=curling", "sport", "Ce sport ne fait pas partie de la liste."),
        ("kind=troc", "kind", "Ce type d’annonce n’existe pas."),
        ("zone=atlantide", "zone", "Cette zone n’existe pas."),
        ("commune=75056", "commune", "Cette commune ne fait pas partie du territoire."),
        ("max_price=gratuit", "max_price", "Indiquez un prix en euros, par exemple 15 ou 7,50."),
        ("sort=nearest", "sort", "Pour trier par distance, choisissez un lieu"),
        ("after=pas-un-curseur", "page", "Ce lien de page n’est plus valable"),
    ],
)
def test_a_value_the_site_does_not_understand_is_a_422_with_the_sites_message(
    client, catalogue, query, field, message
):
    response = client.get(f"/api/v1/listings?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "validation_failed"
    assert problem["errors"][field][0].startswith(message)
    # The site's search page says the same about the same query string
    assert message in client.get(f"/annonces?{query}").get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "Indiquez un nombre entre 1 et 100."),
        ("limit=101", "Indiquez un nombre entre 1 et 100."),
        ("limit=beaucoup", "Indiquez un nombre entier."),
        ("q=" + "a" * 201, "Ce texte ne peut pas dépasser 200 caractères."),
        ("sport=" + "x" * 1001, "Ce texte ne peut pas dépasser 1000 caractères."),
    ],
)
def test_out_of_bounds_arguments_are_a_french_422(client, query, message):
    response = client.get(f"/api/v1/listings?{query}")
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["detail"] == message
    assert list(problem["errors"].values()) == [[message]]


def test_hostile_values_are_refused_or_ignored_never_a_server_error(client, catalogue):
    for query in (
        "q=%00%01",
        "near=commune%3A%00",
        "where=%27%3B%20DROP%20TABLE%20listings%3B--",
        "after=99999999999999999999",
        "after=1e308_1&sort=nearest&near=commune%3A62498",
        "venue=%F0%9F%98%80",
    ):
        assert client.get(f"/api/v1/listings?{query}").status_code in (200, 422), query


def published_with_photo(owner):
    key = photos.store(photos.process_upload(jpeg_bytes(2000, 1500), "p.jpg"))
    listing = services.create_listing(owner, listing_data(photo_keys=[key]), submit=True)
    db.session.commit()
    return move_listing(listing, "approve")


def test_a_listing_gives_its_photos_as_absolute_urls_of_every_stored_size(client, owner):
    listing = published_with_photo(owner)
    key = listing.photos[0].key
    body = client.get(f"/api/v1/listings/{listing.id}").get_json()
    (photo,) = body["photos"]
    assert photo["url"] == f"http://localhost/medias/{key}.jpg"
    assert [size["url"] for size in photo["sizes"]] == [
        f"http://localhost/medias/{key}.jpg",
        f"http://localhost/medias/{key}-m.jpg",
        f"http://localhost/medias/{key}-s.jpg",
    ]
    assert body["cover_photo"] == f"http://localhost/medias/{key}-m.jpg"
    for size in photo["sizes"]:
        with client.get(size["url"].removeprefix("http://localhost")) as served:
            assert served.status_code == 200


def test_a_listing_shows_what_its_page_shows_and_nothing_private(client, owner):
    listing = make_listing(owner, brand="Kipsta", description="Très peu servies.")
    listing.review_note = "Note interne de la modération"
    db.session.commit()
    response = client.get(f"/api/v1/listings/{listing.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["owner_name"] == "Odile Propriétaire"
    assert body["brand"] == "Kipsta" and body["description"] == "Très peu servies."
    raw = response.get_data(as_text=True)
    for private in ("owner@example.org", "Note interne", "latitude", "owner_id", "review"):
        assert private not in raw


@pytest.mark.parametrize("status", ["draft", "awaiting_review", "rejected", "withdrawn", "given"])
def test_a_listing_the_site_hides_is_a_404(client, owner, status):
    listing = make_listing(owner, status=status)
    assert client.get(f"/annonces/{listing.id}").status_code == 404
    response = client.get(f"/api/v1/listings/{listing.id}")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Cette annonce n’existe pas ou n’est plus visible."
    assert listing.id not in api_ids(client, "")


@pytest.mark.parametrize("listing_id", ["0", "99999", "99999999999999999999"])
def test_a_listing_that_does_not_exist_is_a_404(client, listing_id):
    response = client.get(f"/api/v1/listings/{listing_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
