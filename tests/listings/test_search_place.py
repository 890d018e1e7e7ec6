"""Search as a resident types it: a commune or a postal code in « Où ? » (no JavaScript needed),
nearest first around it unless another order is chosen, a size in the words, the results on a
map at their venue or commune centre."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from sportressources.core.db import db
from sportressources.geo.models import Commune
from sportressources.listings.search.params import parse_search_args
from sportressources.listings.search.query import search_listings
from sportressources.venues.models import Venue, VenueStatus
from tests.factories import make_listing, make_user
from tests.fixtures.web import text

LENS, LIEVIN, BETHUNE, CARVIN = "62498", "62510", "62119", "62215"


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org")


@pytest.fixture
def spread(owner):
    """One bike in Carvin (published first), one in Lens, one in Liévin (published last)."""
    return {
        insee: make_listing(
            owner,
            title=f"Vélo {name}",
            sport="cyclisme",
            category="velos",
            size='20"',
            commune_insee=insee,
        )  # fmt: skip
        for insee, name in ((CARVIN, "Carvin"), (LENS, "Lens"), (LIEVIN, "Liévin"))
    }


def titles(page: str) -> list[str]:
    return re.findall(r'class="listing-title"><a href="[^"]+">([^<]+)</a>', page)


def test_typing_a_commune_without_javascript_finds_listings_nearest_first(client, spread):
    response = client.get("/annonces", query_string={"where": "Liévin", "q": "vélo"})

    page = text(response)
    assert response.status_code == 200
    assert "autour de Liévin" in page
    assert titles(page) == ["Vélo Liévin", "Vélo Lens", "Vélo Carvin"]
    assert "à moins d’1 km" in page
    assert 'value="Liévin"' in page  # the box keeps the place


@pytest.mark.parametrize("typed", ["62800", "lievin", "LIÉVIN (62800)", "  Liévin  "])
def test_a_postal_code_or_any_spelling_of_the_name_resolves_the_place(app, typed):
    params, errors = parse_search_args(MultiDict({"where": typed}))

    assert not errors
    assert params.near == f"commune:{LIEVIN}"
    assert params.sort == "nearest"
    assert params.to_query_string() == "near=commune%3A62510"


def test_a_postal_code_shared_by_communes_offers_them_to_choose(client, spread):
    page = text(client.get("/annonces", query_string={"where": "62400", "kind": "gift"}))

    assert "Plusieurs lieux correspondent à « 62400 »" in page
    links = re.findall(r'<li><a href="(/annonces\?[^"]+)" lang="fr">([^<]+)</a>', page)
    assert [label for _, label in links] == ["Béthune (62400)", "Essars (62400)", "Locon (62400)"]
    chosen = text(client.get(links[0][0].replace("&amp;", "&")))
    assert "autour de Béthune" in chosen
    assert "kind=gift" in links[0][0] and "sort" not in links[0][0]
    assert titles(chosen)[0] == "Vélo Liévin"  # nearest Béthune of the three


def test_a_venue_name_is_a_place_too(app, spread):
    venue = db.session.scalar(select(Venue).where(Venue.name == "Stade Bollaert-Delelis"))

    params, errors = parse_search_args(MultiDict({"where": "stade bollaert delelis"}))

    assert not errors
    assert params.near == f"venue:{venue.slug}" and params.sort == "nearest"


@pytest.mark.parametrize(
    "typed", ["Paris", "75001", "<script>alert(1)</script>", "x" * 5000, "commune:00000", "\x00"]
)
def test_an_unknown_or_hostile_place_is_said_and_the_search_goes_on(client, spread, typed):
    response = client.get("/annonces", query_string={"where": typed})

    page = text(response)
    assert response.status_code == 200
    assert "<script>alert(1)" not in page
    assert len(titles(page)) == 3
    if typed.strip("\x00") and len(typed) < 1000 and not typed.startswith("commune:"):
        assert "ne correspond à" in page


def test_nearest_first_is_the_default_around_a_place_and_an_explicit_order_is_kept(app, spread):
    default, _ = parse_search_args(MultiDict({"near": f"commune:{LIEVIN}"}))
    auto, _ = parse_search_args(MultiDict({"where": "Liévin", "sort": ""}))
    newest, _ = parse_search_args(MultiDict({"where": "Liévin", "sort": "newest"}))
    cheapest, _ = parse_search_args(MultiDict({"near": f"commune:{LIEVIN}", "sort": "cheapest"}))
    nowhere, _ = parse_search_args(MultiDict({}))

    assert (default.sort, auto.sort, newest.sort, cheapest.sort) == (
        "nearest", "nearest", "newest", "cheapest",
    )  # fmt: skip
    assert nowhere.sort == "newest"
    assert [h.listing.title for h in search_listings(default).hits] == [
        "Vélo Liévin", "Vélo Lens", "Vélo Carvin",
    ]  # fmt: skip
    assert [h.listing.title for h in search_listings(newest).hits] == [
        "Vélo Liévin", "Vélo Lens", "Vélo Carvin",
    ]  # fmt: skip
    assert newest.to_query_string() == "near=commune%3A62510&sort=newest"
    assert default.to_query_string() == "near=commune%3A62510"
    again, _ = parse_search_args(MultiDict(newest.to_args()))
    assert again.sort == "newest"


def test_the_explicit_newest_order_shows_on_the_page(client, owner):
    make_listing(owner, title="Vélo ancien Liévin", commune_insee=LIEVIN)
    make_listing(owner, title="Vélo récent Carvin", commune_insee=CARVIN)

    nearest = text(client.get("/annonces", query_string={"where": "Liévin"}))
    newest = text(client.get("/annonces", query_string={"where": "Liévin", "sort": "newest"}))

    assert titles(nearest) == ["Vélo ancien Liévin", "Vélo récent Carvin"]
    assert titles(newest) == ["Vélo récent Carvin", "Vélo ancien Liévin"]
    assert re.search(r'id="sort-default" name="sort" value="" checked', nearest)
    assert re.search(r'id="sort-newest" name="sort" value="newest" checked', newest)


def test_a_size_typed_in_the_words_finds_the_listings_of_that_size(app, owner):
    for size in ("36", "38"):
        make_listing(owner, title="Chaussures à crampons", description="Peu portées.", size=size)
    make_listing(owner, title="Vélo", description="Bon état.", sport="cyclisme",
                 category="velos", size='20"')  # fmt: skip

    def found(q: str) -> list[str]:
        params, errors = parse_search_args(MultiDict({"q": q}))
        assert not errors
        return sorted(f"{h.listing.title} {h.listing.size}" for h in search_listings(params).hits)

    assert found("crampons 36") == ["Chaussures à crampons 36"]
    assert found("crampons 38") == ["Chaussures à crampons 38"]
    assert found("vélo 20") == ['Vélo 20"']
    assert found("crampons 40") == []


def test_the_map_places_each_listing_at_its_venue_or_commune_centre(client, owner):
    venue = db.session.scalars(
        select(Venue).where(Venue.status == VenueStatus.PUBLISHED.value).order_by(Venue.id)
    ).first()
    make_listing(owner, title="Ballon au stade", venue=venue, commune_insee=venue.commune_insee)
    make_listing(owner, title="Ballon à la maison", commune_insee=LIEVIN)
    lievin = db.session.get(Commune, LIEVIN)

    page = text(client.get("/annonces", query_string={"q": "ballon"}))

    data = re.search(r'<script type="application/json" id="map-data-results">(.*?)</script>', page)
    markers = {marker["name"]: marker for marker in json.loads(data.group(1))}
    at_venue, at_home = markers["Ballon au stade"], markers["Ballon à la maison"]
    assert (at_venue["lat"], at_venue["lon"], at_venue["approximate"]) == (
        venue.latitude, venue.longitude, False,
    )  # fmt: skip
    assert (at_home["lat"], at_home["lon"], at_home["approximate"]) == (
        lievin.latitude, lievin.longitude, True,
    )  # fmt: skip
    assert 'id="results"' in page and 'href="#results"' in page


def test_no_map_without_results_and_filters_fold_on_the_page(client, spread):
    page = text(client.get("/annonces", query_string={"q": "trampoline"}))

    assert "map-data-results" not in page
    assert '<details class="filters-fold">' in page


def test_filters_open_when_one_of_them_was_refused(client, spread):
    page = text(client.get("/annonces", query_string={"kind": "troc", "sport": "football"}))

    assert '<details class="filters-fold" open>' in page
    assert "Filtres et tri (1 choisi)" in page


def test_reindexing_puts_the_sizes_of_an_older_index_in_the_text(app, owner):
    from sqlalchemy import update

    from sportressources.listings.search.index import document_value, listing_search

    listing = make_listing(owner, title="Crampons", description="Peu portés.", size="36")
    old = document_value("Crampons Peu portés. Football Chaussures", db.engine.dialect.name)
    db.session.execute(update(listing_search).values(document=old))
    db.session.commit()
    params, _ = parse_search_args(MultiDict({"q": "crampons 36"}))
    assert search_listings(params).hits == []

    result = app.test_cli_runner().invoke(args=["search", "reindex"])

    assert result.exit_code == 0 and "1 annonce(s) indexée(s)" in result.output
    assert [hit.listing.id for hit in search_listings(params).hits] == [listing.id]


def test_a_refused_criterion_among_the_more_criteria_shows_its_message(client, spread):
    page = text(client.get("/annonces", query_string={"size": "XXXXXXL"}))

    assert '<details class="filters-fold" open>' in page
    assert "<details open>" in page
    assert 'href="#filter-size"' in page
