"""The home page opens on gear: a search box, the newest listings near the member (or the
centre of the Pôle), the three ways to pass gear on, the same page signed in."""

from __future__ import annotations

import re

from sportressources.geo.queries import central_commune
from tests.drives.inventory_helpers import make_drive
from tests.factories import make_listing, make_organisation, make_user
from tests.fixtures.web import sign_in, text

LIEVIN, CARVIN = "62510", "62215"


def card_titles(page: str) -> list[str]:
    return re.findall(r'class="listing-title"><a href="[^"]+">([^<]+)</a>', page)


def test_a_visitor_sees_a_search_box_and_the_newest_listings_near_the_centre(client):
    owner = make_user(email="owner@example.org")
    centre = central_commune()
    make_listing(owner, title="Raquette au centre", commune_insee=centre.insee)

    page = text(client.get("/"))

    assert '<label for="home-q">Que cherchez-vous ?</label>' in page
    assert 'id="home-where" name="where" value=""' in page
    assert 'action="/annonces"' in page
    assert f"Les dernières annonces près de {centre.name}" in page
    assert card_titles(page) == ["Raquette au centre"]
    assert "à moins d’1 km" in page
    for kind in ("gift", "loan", "sale"):
        assert f'href="/annonces?kind={kind}"' in page
    assert "Créer un compte gratuit" in page


def test_a_member_finds_their_commune_prefilled_and_listings_near_home_first(client):
    member = make_user(email="camille@example.org", home_commune_insee=LIEVIN)
    owner = make_user(email="owner@example.org")
    for number in range(4):
        make_listing(owner, title=f"Vélo de Liévin {number}", commune_insee=LIEVIN)
    make_listing(owner, title="Vélo de Carvin", commune_insee=CARVIN)  # 17 km away, newest
    sign_in(client, member)

    page = text(client.get("/"))

    assert 'id="home-where" name="where" value="Liévin"' in page
    assert "Les dernières annonces près de Liévin" in page
    assert card_titles(page) == [f"Vélo de Liévin {number}" for number in (3, 2, 1, 0)]
    assert f'href="/annonces?kind=gift&amp;near=commune:{LIEVIN}"' in page
    assert "Créer un compte gratuit" not in page
    # the same page as a visitor's, opening on gear
    assert "Du matériel de sport près de chez vous" in page


def test_with_few_listings_nearby_the_nearest_ones_fill_the_page(client):
    member = make_user(email="camille@example.org", home_commune_insee=LIEVIN)
    make_listing(make_user(), title="Vélo de Carvin", commune_insee=CARVIN)
    sign_in(client, member)

    page = text(client.get("/"))

    assert card_titles(page) == ["Vélo de Carvin"]
    assert re.search(r"à 1\d,\d km", page)


def test_the_home_search_box_leads_to_the_results_around_the_place(client):
    make_listing(make_user(), title="Crampons", size="36", commune_insee=LIEVIN)

    page = text(client.get("/annonces", query_string={"q": "crampons 36", "where": "Liévin"}))

    assert card_titles(page) == ["Crampons"]
    assert "autour de Liévin" in page


def test_an_empty_territory_still_answers(client):
    page = text(client.get("/"))

    assert "Aucune annonce pour l’instant" in page


def test_running_and_upcoming_drives_are_shown(client):
    make_drive(make_organisation(), title="Collecte des crampons d’hiver")

    page = text(client.get("/"))

    assert "Les collectes à venir" in page
    assert "Collecte des crampons d’hiver" in page
