"""Territory pages as a visitor reads them: overview, zones, venues, search, commune picker."""

import html
import json
import re

import pytest

from sportressources.core.db import db
from sportressources.venues.models import Venue
from tests.fixtures.web import text


def map_markers(page: str, list_id: str) -> list[dict]:
    match = re.search(
        rf'<script type="application/json" id="map-data-{list_id}">(.*?)</script>', page, re.S
    )
    assert match, "no map data on the page"
    return json.loads(match.group(1))


def test_overview_shows_the_three_zones_with_their_communes_and_the_venues(client):
    response = client.get("/territoire")
    assert response.status_code == 200
    page = text(response)
    for name, count in (("Lens-Liévin", 36), ("Hénin-Carvin", 14), ("Béthune-Bruay", 100)):
        assert name in page
        assert f"{count} communes" in page
    assert "150 communes" in page
    markers = map_markers(page, "venues-all")
    assert len(markers) >= 20
    assert {"Stade Bollaert-Delelis", "Aréna stade couvert de Liévin"} <= {
        m["name"] for m in markers
    }
    for marker in markers:  # each marker has its twin in the list
        assert f'href="{marker["url"]}">{marker["name"]}</a>' in page.replace("&#39;", "'")
    assert "Licence Ouverte" in page
    assert "OpenStreetMap" in page


def test_overview_runs_a_fixed_number_of_queries(client, count_queries):
    with count_queries() as statements:
        client.get("/territoire")
    assert len(statements) <= 6, statements  # one reads the data version (core.httpcache)


@pytest.mark.parametrize(
    "slug, commune_count, a_commune, a_venue",
    [
        ("lens-lievin", 36, "Liévin", "Stade Bollaert-Delelis"),
        ("henin-carvin", 14, "Carvin", "Aquaspot"),
        ("bethune-bruay", 100, "Nœux-les-Mines", "Loisinord – stade de glisse"),
    ],
)
def test_each_zone_page_lists_its_communes_and_venues(
    client, slug, commune_count, a_commune, a_venue
):
    response = client.get(f"/territoire/{slug}")
    assert response.status_code == 200
    page = text(response)
    assert f"{commune_count} communes" in page
    assert a_commune in page
    assert a_venue in page


def test_unknown_zone_and_venue_are_french_404s(client):
    for path in ("/territoire/atlantide", "/lieux/stade-imaginaire"):
        response = client.get(path)
        assert response.status_code == 404
        assert "n’existe" in html.unescape(text(response))


def test_every_venue_page_renders_with_address_directions_and_sources(client):
    db.session.rollback()
    venues = db.session.scalars(db.select(Venue).where(Venue.status == "published")).all()
    assert len(venues) >= 20
    for venue in venues:
        page = text(client.get(f"/lieux/{venue.slug}"))
        assert f"<h1>{venue.name}</h1>".replace("'", "&#39;") in page
        assert "openstreetmap.org/directions?to=" in page
        assert ("Position approximative" in page) == venue.position_approximate
        if venue.source:
            assert "Sources" in page


def test_venue_search_near_a_commune_is_sorted_and_shareable(client):
    response = client.get("/lieux?near=commune:62498&radius=5")
    assert response.status_code == 200
    page = text(response)
    assert "Lieux sportifs à moins de 5 km de Lens" in page
    distances = [float(km.replace(",", ".")) for km in re.findall(r"à ([\d,]+) km", page)]
    assert distances and distances == sorted(distances)
    assert all(d <= 5 for d in distances)
    found = re.search(r'<ul class="venue-list" id="venues-found".*?</ul>', page, re.S).group(0)
    assert "Stade Bollaert-Delelis" in found
    assert "Loisinord" not in found  # about 15 km away


def test_venue_search_with_nothing_in_range_suggests_widening(client):
    page = text(client.get("/lieux?near=commune:62023&radius=2"))  # Allouagne
    assert "Aucun lieu à cette distance. Essayez une distance plus grande." in page


@pytest.mark.parametrize("query", ["near=commune:99999&radius=5", "near=x&radius=7", "radius=abc"])
def test_venue_search_with_bad_parameters_explains_and_keeps_working(client, query):
    response = client.get(f"/lieux?{query}")
    assert response.status_code in (200, 422)
    assert "Lieux sportifs" in text(response)


def test_registration_offers_the_communes_as_a_plain_select_grouped_by_zone(client):
    page = text(client.get("/compte/inscription"))
    select = re.search(r'<select[^>]*id="home_commune".*?</select>', page, re.S).group(0)
    assert select.count("<option") == 150 + 2  # the prompt and « hors du territoire »
    for zone in ("Lens-Liévin", "Hénin-Carvin", "Béthune-Bruay"):
        assert f'<optgroup label="{zone}">' in select
    assert '<option lang="fr" value="62510">Liévin (62800)</option>' in select
    assert 'value="hors-territoire"' in select
