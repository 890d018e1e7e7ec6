"""The listing form as a member fills it in: required fields marked before sending, and sizes
that belong to the chosen category (checked by the server, narrowed in the browser)."""

import json
import re

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.errors import ValidationFailed
from sportressources.listings import services
from sportressources.listings.models import Listing
from sportressources.listings.taxonomy import CATEGORIES
from tests.fixtures.web import text
from tests.listings.helpers import form_data, listing_data, upload

REQUIRED = ["Vous proposez", "Titre", "Sport", "Catégorie", "Pour qui", "État", "Commune"]


def test_every_required_field_is_marked_before_sending(resident_client):
    page = text(resident_client.get("/annonces/nouvelle"))
    assert "Les champs marqués « (obligatoire) » doivent être remplis." in page
    for label in [*REQUIRED, "Photos (1 à 6)"]:
        assert re.search(
            rf">{re.escape(label)} <span class=\"required\">\(obligatoire\)</span>", page
        ), label
    for name in ("title", "sport", "category", "age_group", "commune", "photos"):
        tag = re.search(rf'<(?:input|select)[^>]*\bname="{name}"[^>]*>', page).group(0)
        assert 'aria-required="true"' in tag, name
    assert "Obligatoire pour les catégories qui ont des tailles." in page


def test_photos_are_not_marked_required_once_the_listing_has_some(resident_client, resident):
    listing = services.create_listing(resident, listing_data(), submit=False)
    db.session.commit()
    page = text(resident_client.get(f"/annonces/{listing.id}/modifier"))
    assert "Photos (1 à 6)</label>" in page
    assert 'Titre <span class="required">(obligatoire)</span>' in page


# --- sizes per category -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, sport, size",
    [
        ("chaussures", "football", "36"),
        ("vetements", "football", "XL"),
        ("vetements", "football", "8 ans"),
        ("casques", "cyclisme", "52–56 cm"),
        ("velos", "cyclisme", '20"'),
        ("velos", "cyclisme", "54 cm"),
        ("velos", "cyclisme", "L"),
        ("accessoires_velo", "cyclisme", ""),
    ],
)
def test_a_size_of_the_category_scale_is_accepted(app, resident, category, sport, size):
    safety = {"safety_age_years": 2, "safety_no_impact": True}
    data = listing_data(category=category, sport=sport, size=size, **safety)
    assert services.create_listing(resident, data).size == size


@pytest.mark.parametrize(
    "category, sport, size, message",
    [
        (
            "chaussures",
            "football",
            "M",
            "« M » n’est pas une taille de la catégorie « Chaussures »",
        ),
        ("casques", "cyclisme", "36", "« 36 » n’est pas une taille de la catégorie « Casques »"),
        ("casques", "cyclisme", "M", "choisissez une valeur de « Tour de tête (cm) »"),
        ("velos", "cyclisme", "36", "« 36 » n’est pas une taille de la catégorie « Vélos »"),
        ("vetements", "football", "54 cm", "« Vêtements »"),
        ("chaussures", "football", "", "Choisissez une valeur de « Pointure (EU) » dans la liste."),
        ("accessoires_velo", "cyclisme", "M", "Cette catégorie n’a pas de taille."),
        ("chaussures", "football", "<script>36</script>", "n’est pas une taille"),
    ],
)
def test_a_size_outside_the_category_scale_is_refused_in_french(
    app, resident, category, sport, size, message
):
    safety = {"safety_age_years": 2, "safety_no_impact": True}
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(
            resident, listing_data(category=category, sport=sport, size=size, **safety)
        )
    assert list(error.value.fields) == ["size"]
    assert message in str(error.value.fields["size"][0])


def test_the_form_refuses_a_size_of_another_scale_and_keeps_the_input(resident_client):
    before = db.session.scalar(select(func.count()).select_from(Listing))
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(title="Casque de vélo enfant", category="casques", sport="cyclisme",
                          size="38", safety_age_years="1", safety_no_impact="y"),
              "photos": [upload("a.jpg")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    page = text(response)
    assert response.status_code == 422
    assert "« 38 » n’est pas une taille de la catégorie « Casques »" in page
    assert 'value="Casque de vélo enfant"' in page
    assert db.session.scalar(select(func.count()).select_from(Listing)) == before


def test_the_size_list_groups_each_scale_and_says_which_fit_each_category(resident_client):
    page = text(resident_client.get("/annonces/nouvelle"))
    for group in ("Pointure (EU)", "Tour de tête (cm)", "Taille de cadre (cm)", "Taille de cadre"):
        assert f'<optgroup label="{group}">' in page
    select = re.search(r'<select[^>]*name="size"[^>]*>', page).group(0)
    raw = re.search(r"data-size-groups=\"([^\"]*)\"", select).group(1)
    groups = json.loads(raw.replace("&#34;", '"').replace("&quot;", '"'))
    assert groups["casques"] == ["Tour de tête (cm)"]
    assert groups["velos"] == ["Diamètre de roue", "Taille de cadre (cm)", "Taille de cadre"]
    assert groups["accessoires_velo"] == []
    assert set(groups) == set(CATEGORIES)
    assert 'data-category-field="category"' in select
    assert '<script src="/static/js/listing-form.js" defer></script>' in page


def test_the_size_script_is_served(client):
    with client.get("/static/js/listing-form.js") as response:
        assert response.status_code == 200
        assert b"data-size-groups" in response.data
