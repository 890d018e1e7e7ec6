"""Communes as French readers expect them: accents ignored in their order, found by name,
label or postal code; distances in words."""

from __future__ import annotations

import pytest
from flask import url_for

from sportressources.geo.collation import fold_name, french_sorted
from sportressources.geo.distance import distance_label
from sportressources.geo.queries import (
    all_communes,
    central_commune,
    communes_by_zone,
    find_communes,
)


def test_french_sort_puts_accented_names_among_their_letter():
    names = ["Ferfay", "Évin-Malmaison", "Beuvry", "Burbure", "Béthune", "Estrée-Cauchy", "Éleu"]

    assert french_sorted(names) == [
        "Béthune", "Beuvry", "Burbure", "Éleu", "Estrée-Cauchy", "Évin-Malmaison", "Ferfay",
    ]  # fmt: skip


def test_folded_names_ignore_accents_case_ligatures_and_hyphens():
    assert fold_name("Nœux-les-Mines") == "noeux les mines"
    assert fold_name("  Fouquières-lès-Béthune ") == "fouquieres les bethune"
    assert fold_name("L’Aréna") == "l arena"


def test_every_commune_list_sorts_accents_as_french_readers_expect(app):
    names = [commune.name for commune in all_communes()]

    assert names.index("Béthune") == names.index("Beuvry") - 2  # Béthune, Beugin, Beuvry
    assert names.index("Bénifontaine") < names.index("Béthune") < names.index("Billy-Berclau")
    assert names.index("Estrée-Cauchy") < names.index("Évin-Malmaison") < names.index("Ferfay")
    assert names.index("Ecquedecques") < names.index("Éleu-dit-Leauwette") < names.index("Essars")
    for _zone, communes in communes_by_zone():
        in_zone = [commune.name for commune in communes]
        assert in_zone == french_sorted(in_zone)


@pytest.mark.parametrize("endpoint", ["listings.search", "accounts.register"])
def test_the_search_and_sign_up_pickers_list_communes_in_french_order(app, client, endpoint):
    with app.test_request_context():
        url = url_for(endpoint)
    page = client.get(url).get_data(as_text=True)

    assert page.index("Béthune (62400)") < page.index("Beuvry (62660)") < page.index("Burbure (")
    assert page.index("Drocourt (") < page.index("Évin-Malmaison (62141)")
    assert page.index("Évin-Malmaison (62141)") < page.index("Hénin-Beaumont (")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("62800", ["Liévin"]),
        ("62400", ["Béthune", "Essars", "Locon"]),
        ("Liévin", ["Liévin"]),
        ("lievin", ["Liévin"]),
        ("LIÉVIN (62800)", ["Liévin"]),
        ("Evin", ["Évin-Malmaison"]),
        ("malmaison", ["Évin-Malmaison"]),
        ("Billy", ["Billy-Berclau", "Billy-Montigny"]),
        ("Paris", []),
        ("75001", []),
        ("", []),
        ("<script>", []),
    ],
)
def test_communes_are_found_by_name_label_or_postal_code(app, typed, expected):
    assert [commune.name for commune in find_communes(typed)] == expected


def test_a_postal_code_prefix_finds_communes_and_a_limit_holds(app):
    found = find_communes("62", limit=5)

    assert len(found) == 5
    assert all(commune.postal_code_list[0].startswith("62") for commune in found)


def test_the_centre_of_the_territory_is_a_commune_of_it(app):
    commune = central_commune()

    assert commune is not None and commune.zone.kind == "epci"


@pytest.mark.parametrize(
    ("km", "expected"), [(0.0, "à moins d’1 km"), (0.99, "à moins d’1 km"), (3.44, "à 3,4 km")]
)
def test_distances_under_a_kilometre_read_in_words(app, km, expected):
    with app.test_request_context():
        assert distance_label(km) == expected
